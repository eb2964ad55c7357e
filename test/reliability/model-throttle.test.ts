/**
 * Fault: the model throttles in a burst. `flightly serve` runs with `MODEL_PROVIDER=bedrock` and
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` at the local Bedrock wire-protocol server, whose scripted
 * model books a flight (reserve, confirm) and pays for it, with bursts of 429
 * ThrottlingExceptions right after side effects. Short bursts are absorbed by backoff within the
 * deadline; a burst that outlasts the retries gives the caller a 429 JSON with Retry-After, and
 * resending with the same idempotency key finishes the workflow. No tool side effect ever runs
 * twice: each tool use the model emitted got exactly one result, none of them a replay.
 */
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BedrockServer,
  type RecordedRequest,
  startBedrockServer,
  type Turn,
  type WireJson,
} from "../support/bedrock-server.js";
import { type Served, startServe } from "../support/cli.js";
import { uniq } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";
import {
  flagshipOutcome,
  invoke,
  type RedisServer,
  servedDatabase,
  startRedis,
  waitHealthy,
} from "./support.js";

interface Context {
  agent: string;
  workflow: { plan: string[]; step: number; outputs: Record<string, Record<string, WireJson>> };
}

const contextOf = (req: RecordedRequest): Context => {
  const system = (req.body.system ?? []).map((b) => b.text ?? "").join("");
  return JSON.parse(/<context>(.*)<\/context>/s.exec(system)?.[1] ?? "{}") as Context;
};

/** Tool uses in this agent's run so far, with their results (by toolUseId). */
function toolsSoFar(req: RecordedRequest): Array<{ name: string; id: string; result?: WireJson }> {
  const uses: Array<{ name: string; id: string; result?: WireJson }> = [];
  for (const m of req.body.messages ?? []) {
    for (const b of m.content) {
      if (b.toolUse) uses.push({ name: b.toolUse.name, id: b.toolUse.toolUseId });
      if (b.toolResult) {
        const use = uses.find((u) => u.id === b.toolResult!.toolUseId);
        if (use) use.result = b.toolResult.content[0]?.json ?? null;
      }
    }
  }
  return uses;
}

/** A scripted booking-and-payment model with injectable 429 bursts. */
function scriptedModel(flightId: () => string) {
  const bursts = new Map<string, number>(); // point -> 429s still to send
  const calls: Array<{ agent: string; point: string; throttled: boolean }> = [];
  let nextId = 0;
  const use = (name: string, input: WireJson): Turn => ({
    toolUses: [{ name, input, toolUseId: `tu_${++nextId}` }],
  });
  const handler = (req: RecordedRequest): Turn => {
    const ctx = contextOf(req);
    const done = toolsSoFar(req);
    const last = done.at(-1);
    const booked = typeof ctx.workflow.outputs.booking?.booking_ref === "string";
    const point = `${ctx.agent}:${last?.name ?? (ctx.agent === "payment" && !booked ? "before-booking" : "start")}`;
    const left = bursts.get(point) ?? 0;
    if (left > 0) {
      bursts.set(point, left - 1);
      calls.push({ agent: ctx.agent, point, throttled: true });
      return { error: "throttled" };
    }
    calls.push({ agent: ctx.agent, point, throttled: false });
    if (ctx.agent === "booking") {
      if (!last) return use("reserve_flight", { flight_id: flightId(), passengers: 1 });
      const ref = (last.result as { booking_ref?: string } | undefined)?.booking_ref;
      if (last.name === "reserve_flight" && ref) return use("confirm_booking", { booking_ref: ref });
      const payNext = ctx.workflow.plan.slice(ctx.workflow.step + 1).includes("payment");
      if (payNext) return { text: `Booked ${ref}.` };
      return use("handoff_to_agent", { agent: "payment", reason: "take payment for the confirmed booking" });
    }
    if (ctx.agent === "payment") {
      const ref = ctx.workflow.outputs.booking?.booking_ref;
      if (!last && !booked) {
        return use("handoff_to_agent", { agent: "booking", reason: "reserve and confirm the flight first" });
      }
      if (!last && typeof ref === "string")
        return use("process_payment", { booking_ref: ref, card: "on_file" });
      const paid = last?.result as { status?: string; amount_usd?: number } | undefined;
      return { text: `Payment ${paid?.status ?? "not taken"}: $${paid?.amount_usd ?? 0}.` };
    }
    if (!last && !ctx.workflow.plan.includes("booking")) {
      return use("handoff_to_agent", { agent: "booking", reason: "the customer wants to book a flight" });
    }
    return { text: "Our booking team will take it from here." };
  };
  return { handler, bursts, calls };
}

describe("fault: the model throttles in a burst", () => {
  let world: WorldEnv;
  let redis: RedisServer;
  let bedrock: BedrockServer;
  let served: Served;
  let sql: Sql;
  let flight = "";
  const model = scriptedModel(() => flight);

  beforeAll(async () => {
    [world, redis, bedrock] = await Promise.all([
      worldEnv("throttle"),
      startRedis(),
      startBedrockServer(model.handler),
    ]);
    served = await startServe({
      ...world.env,
      VALKEY_URL: redis.url,
      LOG_LEVEL: "warn",
      MODEL_PROVIDER: "bedrock",
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDFLIGHTLYTEST",
      AWS_SECRET_ACCESS_KEY: "flightly-test-secret",
      WORKER_ENABLED: "false",
    });
    await waitHealthy(served.url);
    sql = servedDatabase(world.env);
  });
  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    await served?.stop("SIGKILL");
    await bedrock?.close();
    await redis?.close();
    await world?.close();
  });

  const pickFlight = async (): Promise<string> => {
    const [row] = await sql<{ id: string }[]>`
      SELECT id::text AS id FROM flights WHERE depart_at > now() + interval '30 days' AND seats_available > 20
      ORDER BY id OFFSET ${Math.floor(Math.random() * 500)} LIMIT 1`;
    return row!.id;
  };

  /** Every tool use the model emitted got exactly one result, and no result was a replay. */
  const noToolRanTwice = (since: number): void => {
    const results = new Map<string, string>();
    for (const req of bedrock.converseRequests().slice(since)) {
      for (const u of toolsSoFar(req)) {
        if (u.result === undefined) continue;
        const text = JSON.stringify(u.result);
        if (results.has(u.id)) expect(results.get(u.id)).toBe(text);
        results.set(u.id, text);
        expect(text).not.toMatch(/"replayed":true|already_confirmed|already_paid/);
      }
    }
    expect(results.size).toBeGreaterThanOrEqual(2);
  };

  it("absorbs short bursts with backoff: one booking, one payment, each tool run once", async () => {
    flight = await pickFlight();
    model.bursts.set("booking:reserve_flight", 3).set("payment:start", 2);
    const since = bedrock.converseRequests().length;
    const key = uniq("throttle-short");
    const a = await invoke(served.url, "Book my chosen flight and pay for it with my card on file", {
      session: uniq("thr"),
      actor: "6",
      idempotencyKey: key,
    });
    expect(a.status).toBe(200);
    expect(a.body.response).toMatch(/Payment succeeded/);
    const tools = a.body.agents?.flatMap((x) => x.tools);
    expect(tools).toEqual(["reserve_flight", "confirm_booking", "process_payment"]);
    expect(model.calls.filter((c) => c.throttled)).toHaveLength(5);
    noToolRanTwice(since);

    const { bookings, payments } = await flagshipOutcome(sql, key);
    expect(bookings).toHaveLength(1);
    expect(payments).toEqual([
      { status: "succeeded", amount_cents: bookings[0]!.total_cents, booking_ref: bookings[0]!.ref },
    ]);
  });

  it("a burst that outlasts the retries: a clear 429, then the same key resumes at payment", async () => {
    flight = await pickFlight();
    model.bursts.clear();
    model.bursts.set("payment:start", 50);
    const since = bedrock.converseRequests().length;
    const key = uniq("throttle-long");
    const session = uniq("thr-long");
    // A prompt the router sends to booking then payment with confidence (the flight comes from the script).
    const prompt = "Book the flight I picked and pay for it with the card on file";
    const throttled = await invoke(served.url, prompt, { session, actor: "7", idempotencyKey: key });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error?.code).toBe("MODEL_THROTTLED");
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.stringify(throttled.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    const mid = await flagshipOutcome(sql, key);
    expect(mid.bookings).toHaveLength(1); // booked and confirmed before the payment step
    expect(mid.payments).toHaveLength(0);

    model.bursts.clear();
    const resumedFrom = bedrock.converseRequests().length;
    const done = await invoke(served.url, prompt, { session, actor: "7", idempotencyKey: key });
    expect(done.status).toBe(200);
    expect(done.body.response).toMatch(/Payment succeeded/);
    // The resumed run started at the payment step: the booking agent was not called again.
    const resumed = bedrock.converseRequests().slice(resumedFrom);
    expect(resumed.map((r) => contextOf(r).agent)).not.toContain("booking");
    noToolRanTwice(since);

    const { bookings, payments } = await flagshipOutcome(sql, key);
    expect(bookings).toHaveLength(1);
    expect(payments).toEqual([
      { status: "succeeded", amount_cents: bookings[0]!.total_cents, booking_ref: bookings[0]!.ref },
    ]);
  });
});
