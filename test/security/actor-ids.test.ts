/**
 * Actor ids: digit-only ids are canonical (`007` is customer 7, with the same session, memory and
 * cache scope as `7`); any other id of the allowed alphabet is a guest who gets a normal answer.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalActorId } from "../../core/actor.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("actor ids", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });
  const post = (prompt: string, actor: string, session: string) =>
    rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json", "x-amzn-bedrock-agentcore-runtime-session-id": session },
      payload: JSON.stringify({ prompt, actor_id: actor }),
    });

  it("canonicalises digit-only ids and leaves others alone", () => {
    expect(canonicalActorId("007")).toBe("7");
    expect(canonicalActorId("0")).toBe("0");
    expect(canonicalActorId("000")).toBe("0");
    expect(canonicalActorId("7")).toBe("7");
    expect(canonicalActorId("0a7")).toBe("0a7");
    expect(canonicalActorId("guest:01@kiosk")).toBe("guest:01@kiosk");
  });

  it("007 and 7 are one customer: one session scope and the answer names the canonical id", async () => {
    const session = randomUUID();
    const first = await post("find flights from Seattle to Tokyo in June", "007", session);
    expect(first.statusCode).toBe(200);
    expect(first.json().actor_id).toBe("7");
    // The follow-up as `7` reads the session `007` wrote ("there" is the last destination).
    const follow = await post("what about hotels there?", "7", session);
    expect(follow.statusCode).toBe(200);
    const call = follow
      .json()
      .agents.flatMap((a: { calls: { tool: string; input: { city?: string } }[] }) => a.calls)[0];
    expect(call).toMatchObject({ tool: "search_hotels" });
    expect(String(call.input.city)).toMatch(/tokyo|NRT|HND/i);
  });

  it("an id that is not a customer is a guest with a normal answer", async () => {
    const res = await post("show me my bookings", "kiosk.12:lobby@airport-3", randomUUID());
    expect(res.statusCode).toBe(200);
    expect(res.json().actor_id).toBe("kiosk.12:lobby@airport-3");
    expect(res.json().response).toMatch(/sign in|signed in|account/i);
  });
});
