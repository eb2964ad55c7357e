/**
 * The workflow record kept in the session's checkpoint: the plan, which steps are done and
 * what each produced. The next agent reads earlier outputs from here; a resumed workflow
 * starts at the first step not done.
 */
import type { AgentName } from "../agents/types.js";
import { unredactableDigest } from "../core/redact.js";
import type { PlaceReferent } from "../language/index.js";
import type { JsonValue } from "./models/types.js";
import type { TrailCall, TrailHandoff } from "./trail.js";

export interface TrailEntry {
  agent: AgentName;
  /** Tool names in call order. */
  tools: string[];
  /** Each call with its redacted input, outcome and time (absent in checkpoints of older versions). */
  calls?: TrailCall[];
  /** Why the next agent ran after this one (absent for the last step, and in older checkpoints). */
  handoff?: TrailHandoff;
}

export interface SideEffectIntent {
  step: number;
  tool: string;
  /** The how-manieth call of `tool` in the step (0-based). */
  ordinal: number;
  /** The input's digest (`unredactableDigest`); the key is rebuilt from it and the workflow id. */
  digest?: string;
  /** The whole key, as checkpoints of older versions kept it. */
  key?: string;
}

/**
 * The idempotency key of a recorded side effect: workflow id, step, tool, position and input.
 * Rebuilt rather than read back, so the redaction of the stored checkpoint cannot change it.
 */
export const intentKey = (wf: WorkflowState, i: SideEffectIntent): string =>
  i.digest !== undefined ? `${wf.id}:${i.step}:${i.tool}:${i.ordinal}:${i.digest}` : (i.key ?? "");

/** The request with its references replaced by what they point at, and where each came from. */
export interface ResolvedReferences {
  text: string;
  referents: PlaceReferent[];
}

export interface WorkflowState {
  /** The idempotency key the request came with, or a generated id. */
  id: string;
  /**
   * `unredactableDigest(id)`: a retry is matched by it, because the stored `id` went through the
   * redactor (absent in checkpoints of older versions, which are matched by `id`).
   */
  ref?: string;
  request: string;
  /** Present when the request referred outside itself and every reference resolved. */
  resolved?: ResolvedReferences;
  plan: AgentName[];
  /** Index of the next step to run. */
  step: number;
  outputs: Partial<Record<AgentName, Record<string, JsonValue>>>;
  trail: TrailEntry[];
  texts: string[];
  handoffs: number;
  status: "running" | "done";
  /** The final answer, kept so a replay of a finished workflow returns it unchanged. */
  response?: string;
  /**
   * Side effects of the running step, recorded before each runs: a resumed step calls the same
   * tool at the same position with the same idempotency key, so it replays the first outcome.
   */
  intents?: SideEffectIntent[];
}

/**
 * Whether `wf`, as read back from the checkpoint, is the workflow of the request keyed `key`.
 * Matched by the key's digest: the stored `id` went through the redactor on its way in.
 */
export const isWorkflowOf = (wf: WorkflowState, key: string): boolean =>
  wf.ref !== undefined ? wf.ref === unredactableDigest(key) : wf.id === key;
