/** What an invocation streams to a client that watches (SSE `agent`, `tool`, `delta`, `done`, `error`). */
import type { TrailCall } from "./trail.js";
export type StreamEvent =
  | { event: "agent"; data: { agent: string; step: number } }
  | { event: "tool"; data: { agent: string; name: string } & TrailCall }
  | { event: "delta"; data: { agent: string; text: string } }
  | { event: "done"; data: unknown }
  | { event: "error"; data: { code: string; message: string } };

export type StreamSink = (event: StreamEvent) => void;
