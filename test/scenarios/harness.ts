/**
 * Scenario harness: the whole product in-process on a copy of the seeded world, with either the
 * local planner or Bedrock (the real SDK against a local server speaking the Bedrock wire
 * protocol). Scenarios assert the database and the handoff trail, not the wording.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { type BedrockServer, startBedrockServer, type TurnHandler } from "../support/bedrock-server.js";
import { plannerOverWire } from "../support/planner-wire.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

export type Mode = "local" | "bedrock";
export const MODES: Mode[] = ["local", "bedrock"];

export interface ToolCall {
  agent: string;
  name: string;
  input: Record<string, unknown>;
  status: "success" | "error";
  json: unknown;
}

export interface Answer {
  status: number;
  body: {
    response: string;
    session_id: string;
    actor_id: string;
    cache: {
      hit: boolean;
      kind: string | null;
      similarity: number | null;
      matched_prompt?: string;
      /** What the store stage decided for a miss (`stored`, and why). */
      store?: { stored: boolean; reason: string } | null;
    };
    agents: { agent: string; tools: string[] }[];
    /** Where each reference of the request pointed: `source` is `session` or `memory`. */
    references: { kind: string; iata: string; source: string; via: string; ref?: string }[];
    usage: { modelCalls: number; toolCalls: number };
    checkpoint: { version: number; workflow_id: string; status: string; written: boolean } | null;
    error?: { code: string; message: string };
  };
}

export interface Scenario {
  mode: Mode;
  rt: TestRuntime;
  sql: Sql;
  bedrock: BedrockServer | undefined;
  /** Tool calls since the last `invoke`. */
  calls: ToolCall[];
  invoke(prompt: string, o: { actor: string; session?: string; idempotencyKey?: string }): Promise<Answer>;
  /** Model requests served so far (Bedrock mode), or model calls counted by the hooks (local). */
  modelCalls(): number;
  close(): Promise<void>;
}

export async function startScenario(mode: Mode, handler?: TurnHandler): Promise<Scenario> {
  let bedrock: BedrockServer | undefined;
  const env: Record<string, string> = {};
  if (mode === "bedrock") {
    bedrock = await startBedrockServer(handler ?? plannerOverWire());
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock.url;
    process.env.AWS_ACCESS_KEY_ID = "AKIDSCENARIO";
    process.env.AWS_SECRET_ACCESS_KEY = "scenario-secret";
    env.MODEL_PROVIDER = "bedrock";
  }
  const rt = await startTestRuntime({ env });
  let modelCalls = 0;
  const calls: ToolCall[] = [];
  rt.app.hooks.on("afterModelCall", () => {
    modelCalls++;
  });
  rt.app.hooks.on("afterToolCall", (e) => {
    calls.push({
      agent: e.agent,
      name: e.name,
      input: e.input as Record<string, unknown>,
      status: e.result.status,
      json: e.result.status === "success" ? e.result.json : e.result.error,
    });
  });
  return {
    mode,
    rt,
    sql: rt.running.services.db.sql,
    bedrock,
    calls,
    async invoke(prompt, o) {
      calls.length = 0;
      const res = await rt.running.http.inject({
        method: "POST",
        url: "/invocations",
        headers: {
          "content-type": "application/json",
          "x-amzn-bedrock-agentcore-runtime-session-id": o.session ?? randomUUID(),
        },
        payload: JSON.stringify({
          prompt,
          actor_id: o.actor,
          ...(o.idempotencyKey ? { idempotency_key: o.idempotencyKey } : {}),
        }),
      });
      return { status: res.statusCode, body: res.json() };
    },
    modelCalls: () => (bedrock ? bedrock.converseRequests().length : modelCalls),
    async close() {
      await rt.close();
      await bedrock?.close();
    },
  };
}

export const trail = (a: Answer): string[] => a.body.agents.map((x) => x.agent);
