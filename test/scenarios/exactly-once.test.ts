/**
 * Side effects happen exactly once by construction: each call's idempotency key is derived from
 * the workflow, the step, the tool, its position in the step and its input, and is written to the
 * checkpoint before the call runs. Two holds in one step are two holds; a resumed step replays
 * the first outcome even when the model asks for something else the second time.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSecret } from "../../core/redact.js";
import type { RecordedRequest, Turn } from "../support/bedrock-server.js";
import { type Scenario, startScenario } from "./harness.js";

type Script = (req: RecordedRequest, results: unknown[]) => Turn;
const resultsOf = (req: RecordedRequest): unknown[] =>
  (req.body.messages ?? [])
    .flatMap((m) => m.content)
    .flatMap((b) => (b.toolResult ? [b.toolResult.content[0]?.json] : []));

describe("exactly-once side effects", () => {
  let s: Scenario;
  let script: Script = () => ({ text: "nothing scripted" });
  let flights: string[] = [];
  beforeAll(async () => {
    s = await startScenario("bedrock", (req) => script(req, resultsOf(req)));
    flights = (
      await s.sql<{ id: string }[]>`
        SELECT id::text AS id FROM flights WHERE seats_available > 6 AND depart_at > now() + interval '2 days'
        ORDER BY id LIMIT 3`
    ).map((r) => r.id);
    expect(flights).toHaveLength(3);
  });
  afterAll(async () => {
    await s?.close();
  });
  const bookingsFor = (key: string) =>
    s.sql<
      { flight_id: string }[]
    >`SELECT flight_id::text FROM bookings WHERE idempotency_key LIKE ${`${key}:%`} ORDER BY id`;

  it("two holds in one step are two bookings, not a replay of the first", async () => {
    script = (_req, results) =>
      results.length === 0
        ? {
            toolUses: [
              { name: "reserve_flight", input: { flight_id: flights[0]!, passengers: 1 } },
              { name: "reserve_flight", input: { flight_id: flights[1]!, passengers: 1 } },
            ],
          }
        : { text: "Both held." };
    const key = `two-holds-${randomUUID()}`;
    const res = await s.invoke("hold one seat on each of these two flights", {
      actor: "8",
      idempotencyKey: key,
    });
    expect(res.status).toBe(200);
    expect((await bookingsFor(key)).map((b) => b.flight_id)).toEqual([flights[0], flights[1]]);
  });

  // The second key holds a card-shaped run: the checkpoint stores it redacted, and the retry is
  // still the same workflow (it is matched by a digest the redactor cannot alter).
  it.each([
    ["a random key", `resume-${randomUUID()}`],
    ["a key the redactor masks", `resume-${randomUUID()}-card-4111-1111-1111-1111`],
  ])(
    "a resumed step replays the recorded hold even when the model now asks for another flight (%s)",
    async (_, key) => {
      const session = randomUUID();
      // First attempt: the hold runs, then the model fails for good, so the step never completes.
      script = (_req, results) =>
        results.length === 0
          ? { toolUses: [{ name: "reserve_flight", input: { flight_id: flights[2]!, passengers: 2 } }] }
          : { error: "validation", errorMessage: "scripted failure after the hold" };
      const failed = await s.invoke("hold two seats on the flight I picked", {
        actor: "9",
        session,
        idempotencyKey: key,
      });
      expect(failed.status).toBeGreaterThanOrEqual(400);
      expect(hasSecret(key)).toBe(key.includes("card"));
      expect(await bookingsFor(key)).toHaveLength(1);

      // The resend: the model wavers and asks for a different flight; the recorded key replays the hold.
      script = (_req, results) =>
        results.length === 0
          ? { toolUses: [{ name: "reserve_flight", input: { flight_id: flights[0]!, passengers: 2 } }] }
          : { text: "Held." };
      const resent = await s.invoke("hold two seats on the flight I picked", {
        actor: "9",
        session,
        idempotencyKey: key,
      });
      expect(resent.status).toBe(200);
      expect(resent.body.checkpoint).toMatchObject({ workflow_id: key, status: "done" });
      expect((await bookingsFor(key)).map((b) => b.flight_id)).toEqual([flights[2]]);
    },
  );
});
