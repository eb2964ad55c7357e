export { insertEpisodeTurn } from "./episodes.js";
export {
  LongTermMemory,
  type RecalledMemory,
  searchMemories,
} from "./memories.js";
export {
  namespaces,
  resolveNamespace,
} from "./namespaces.js";
