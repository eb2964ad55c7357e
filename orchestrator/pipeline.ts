/**
 * An invocation as a pipeline of small stages over one `Turn`. A stage runs when its `when` holds,
 * is timed into `timing_ms` under its name, and (unless it keeps the deadline itself) is cut off at
 * the invocation's deadline. A stage answers the turn by setting `turn.answer`; the stages that
 * produce an answer then skip themselves (see `stages.ts`).
 */
import { FlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { RequestReading, ResolvedRequest } from "../language/index.js";
import type { Actor } from "../tools/types.js";
import type { StreamSink } from "./events.js";
import type { TurnContext } from "./memory-port.js";
import type { RouteDecision } from "./router.js";
import type { CacheMiss } from "./semantic-cache/cache.js";
import type { CacheTrail } from "./trail.js";
import type { WorkflowRun } from "./workflow.js";
import type { WorkflowState } from "./workflow-state.js";

export interface InvokeRequest {
  prompt: string;
  sessionId: string;
  actorId: string;
  idempotencyKey?: string;
  /** The caller's request id (HTTP `x-request-id`), used in logs; generated when absent. */
  requestId?: string;
  sink?: StreamSink;
  signal?: AbortSignal;
  /** Milliseconds the whole invocation may take. */
  timeoutMs?: number;
}

/** How a turn was answered. */
export interface Answer {
  response: string;
  /** Who answered, as recorded in the history: an agent, `cache` or `hook`. */
  by: string;
  /** A finished workflow replayed for a resent request: nothing new is recorded. */
  replay?: boolean;
  /** A cache hit: the matched prompt in the asker's own scope, otherwise only the entry's id. */
  cache?: { kind: "exact" | "semantic"; similarity: number; matched_prompt?: string; entry_id?: string };
  workflow?: WorkflowState;
}

export interface Turn {
  readonly req: InvokeRequest;
  readonly id: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Epoch milliseconds. */
  readonly deadline: number;
  readonly now: Date;
  /** When the invocation began (epoch ms). */
  readonly startedAt: number;
  readonly timing: Record<string, number>;
  actor: Actor | undefined;
  answer: Answer | undefined;
  miss: CacheMiss | undefined;
  /** What the response cache decided (set by a lookup, completed by the store). */
  cacheTrail?: CacheTrail;
  /** The checkpoint version the workflow wrote last. */
  checkpointVersion?: number;
  /** What the prompt refers to outside itself (the session, the clock), read by the cache stage. */
  reading?: RequestReading;
  /** The request resolved against the session and, for a customer, long-term memory. */
  resolution?: ResolvedRequest;
  /** Resolving the request read the customer's long-term memory (then the cache is skipped). */
  memoryRead?: boolean;
  release: (() => Promise<void>) | undefined;
  /**
   * The turn's process slot (`TurnSlots`) as asked for: given back (`freeSlot`) when its agents are
   * done or the turn ends, or as soon as it is granted if the turn ended first (a stage cut off at
   * the deadline while it waited).
   */
  slot?: Promise<() => void>;
  /**
   * The turn's history write, started by the record stage and awaited with the session's release
   * when the pipeline ends, so both leave in one write to the store; `recordStarted` is when it
   * began (performance.now()).
   */
  recorded?: Promise<void>;
  recordStarted?: number;
  context: TurnContext | undefined;
  /** The scope gate's decline of a follow-up, given only if no agent answered the session before. */
  heldDecline?: string;
  route: RouteDecision | undefined;
  workflow: WorkflowState | undefined;
  run: WorkflowRun | undefined;
}

type TurnGiven = Pick<Turn, "req" | "id" | "signal" | "deadline" | "now"> & {
  log: Logger | (() => Logger);
  startedAt?: number;
};

/** A turn as `newTurn` makes it: one shape for every turn, the logger made on first use. */
class NewTurn implements Turn {
  readonly req: InvokeRequest;
  readonly id: string;
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly now: Date;
  readonly startedAt: number;
  readonly timing: Record<string, number> = {};
  actor: Actor | undefined = undefined;
  answer: Answer | undefined = undefined;
  miss: CacheMiss | undefined = undefined;
  release: (() => Promise<void>) | undefined = undefined;
  context: TurnContext | undefined = undefined;
  route: RouteDecision | undefined = undefined;
  workflow: WorkflowState | undefined = undefined;
  run: WorkflowRun | undefined = undefined;
  #log: Logger | (() => Logger);

  constructor(f: TurnGiven) {
    this.req = f.req;
    this.id = f.id;
    this.signal = f.signal;
    this.deadline = f.deadline;
    this.now = f.now;
    this.startedAt = f.startedAt ?? Date.now();
    this.#log = f.log;
  }

  get log(): Logger {
    if (typeof this.#log === "function") this.#log = this.#log();
    return this.#log;
  }
}

/**
 * A turn before any stage ran: what the caller gives, and nothing decided yet. `log` may be given
 * as a function: the logger is then made on first use (most turns never log).
 */
export function newTurn(f: TurnGiven): Turn {
  return new NewTurn(f);
}

export interface Stage {
  readonly name: string;
  /** Runs only when this holds (default: always). */
  readonly when?: (turn: Turn) => boolean;
  /** The stage enforces the deadline itself (the agents: a side effect is never abandoned mid-way). */
  readonly keepsDeadline?: boolean;
  run(turn: Turn): Promise<void>;
}

/** Gives the turn's slot back, now or once granted (the release is idempotent). */
export function freeSlot(turn: Turn): void {
  turn.slot?.then(
    (release) => release(),
    () => {},
  );
}

export const round = (ms: number): number => Math.round(ms * 1000) / 1000;

const EXPIRED: unique symbol = Symbol("deadline");

/** The turn's deadline: one timer per turn, made when a stage first waits, cleared at the end. */
interface Deadline {
  at?: Promise<typeof EXPIRED>;
  timer?: NodeJS.Timeout;
}

function deadlineOf(turn: Turn, d: Deadline): Promise<typeof EXPIRED> {
  d.at ??= new Promise((resolve) => {
    d.timer = setTimeout(() => resolve(EXPIRED), Math.max(0, turn.deadline - Date.now()));
  });
  return d.at;
}

export async function runPipeline(stages: readonly Stage[], turn: Turn): Promise<void> {
  const deadline: Deadline = {};
  try {
    for (const stage of stages) {
      if (stage.when && !stage.when(turn)) continue;
      if (turn.signal.aborted) throw new FlightlyError("UNAVAILABLE", "the invocation was cancelled");
      const started = performance.now();
      const work = stage.run(turn);
      if (stage.keepsDeadline) await work;
      else if ((await Promise.race([work, deadlineOf(turn, deadline)])) === EXPIRED) {
        throw new FlightlyError("UNAVAILABLE", `the invocation ran out of time (${stage.name})`, {
          retryAfterS: 1,
        });
      }
      turn.timing[stage.name] = round(performance.now() - started);
    }
  } finally {
    clearTimeout(deadline.timer);
  }
}
