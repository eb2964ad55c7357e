/**
 * What an invocation streams to a client that watches (SSE `cache`, `agent`, `tool`, `handoff`,
 * `delta`, `done`, `error`).
 */
import type { CacheTrail, TrailCall, TrailHandoff } from "./trail.js";
export type StreamEvent =
  | { event: "agent"; data: { agent: string; step: number } }
  | { event: "tool"; data: { agent: string; name: string } & TrailCall }
  | { event: "handoff"; data: { from: string } & TrailHandoff }
  | { event: "cache"; data: CacheTrail }
  | { event: "delta"; data: { agent: string; text: string } }
  | { event: "done"; data: unknown }
  | { event: "error"; data: { code: string; message: string } };

export type StreamSink = (event: StreamEvent) => void;
