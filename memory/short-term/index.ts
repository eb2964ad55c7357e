export {
  type Checkpoint,
  getCheckpoint,
  writeCheckpoint,
} from "./checkpoints.js";
export {
  type AssembledContext,
  assembleContext,
} from "./context.js";
export {
  appendHistory,
  type HistoryMessage,
  parseHistory,
  readHistory,
} from "./history.js";
export {
  type CustomerProfile,
  getProfile,
  updateProfile,
} from "./profile.js";
export {
  clearSession,
  getSessionState,
  type SessionScope,
  sessionKeys,
  sessionSlot,
  setSessionState,
} from "./session.js";
