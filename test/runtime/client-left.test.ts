/**
 * A client that hangs up while its invocation waits cancels it; the service notes it at info level
 * and logs no failure (an error line per impatient client would bury real ones).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionSlot } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { type CapturedLogs, captureLogs } from "../security/support.js";
import { uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("a client that hangs up", () => {
  let rt: TestRuntime;
  let logs: CapturedLogs;
  beforeAll(async () => {
    logs = captureLogs("info");
    rt = await startTestRuntime({ logger: logs.logger });
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("cancels its invocation without an error in the log", async () => {
    const session = uniq("gone");
    const requestId = uniq("req");
    // The session is busy elsewhere, so the invocation waits for it: the client leaves meanwhile.
    const lock = keys.sessionLock(sessionSlot({ actorId: "1", sessionId: session }));
    await rt.running.services.store.set(lock, "someone-else", { ttlMs: 10_000 });
    const { port } = rt.running.http.server.address() as AddressInfo;
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/invocations",
      headers: { "content-type": "application/json", [SESSION_HEADER]: session, "x-request-id": requestId },
    });
    req.on("error", () => {});
    req.end(JSON.stringify({ prompt: "and hotels there?", actor_id: "1" }));
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();

    const mine = () => logs.lines.map((l) => JSON.parse(l)).filter((l) => l.requestId === requestId);
    for (let i = 0; i < 100 && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await rt.running.services.store.del(lock);
    expect(mine().map((l) => [l.level, l.msg])).toEqual([[30, "client left before the answer"]]);
  });
});
