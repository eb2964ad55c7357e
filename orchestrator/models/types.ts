/** The model interface lives in `core/model.ts` (the memory worker uses it too); re-exported here. */
export type { JsonValue } from "../../core/json.js";
export * from "../../core/model.js";
