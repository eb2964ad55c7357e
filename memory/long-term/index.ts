export { type EpisodeTurn, insertEpisodeTurn } from "./episodes.js";
export {
  insertMemory,
  LongTermMemory,
  type LongTermMemoryOptions,
  listMemories,
  type Memory,
  type MemoryRevision,
  type NewMemory,
  type RecalledMemory,
  type RecallRequest,
  reviseMemory,
  type SearchOptions,
  searchMemories,
  type Tx,
} from "./memories.js";
export {
  likeBelow,
  type MemoryKind,
  namespaceFor,
  namespaces,
  resolveNamespace,
} from "./namespaces.js";
