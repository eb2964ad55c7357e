export {
  type Checkpoint,
  type CheckpointData,
  type CompletedStep,
  getCheckpoint,
  parseCheckpoint,
  writeCheckpoint,
} from "./checkpoints.js";
export {
  type AssembledContext,
  assembleContext,
  type ContextRequest,
  type ContextTimings,
  type Recaller,
} from "./context.js";
export {
  appendHistory,
  DEFAULT_HISTORY_CAP,
  type HistoryMessage,
  type HistoryOptions,
  type HistoryRole,
  parseHistory,
  readHistory,
} from "./history.js";
export {
  type CustomerProfile,
  DEFAULT_PROFILE_TTL_S,
  decodeProfile,
  encodeProfile,
  getProfile,
  mergeProfile,
  type ProfileOptions,
  updateProfile,
} from "./profile.js";
export {
  clearSession,
  DEFAULT_SESSION_TTL_S,
  getSessionState,
  type SessionScope,
  type SessionTtlOptions,
  sessionKeys,
  sessionSlot,
  sessionTtlMs,
  setSessionState,
} from "./session.js";
