export {
  type Episode,
  type EpisodeListing,
  type EpisodeTurn,
  getEpisode,
  insertEpisodeTurn,
  listEpisodes,
  recallEpisodes,
} from "./episodes.js";
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
  sessionOfNamespace,
} from "./namespaces.js";
