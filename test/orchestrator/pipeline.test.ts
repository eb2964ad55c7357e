/**
 * The invocation pipeline: stages run in order when their condition holds, are timed, and are cut
 * off at the deadline; hooks can answer or refuse a tool call, and a failing hook is logged; one
 * request id runs from the HTTP header to every log line of the invocation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { newTurn, runPipeline, type Stage, type Turn } from "../../orchestrator/pipeline.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

function turn(deadlineInMs = 10_000, signal = new AbortController().signal): Turn {
  return newTurn({
    req: { prompt: "p", sessionId: "s", actorId: "1" },
    id: "r1",
    log: createLogger({ level: "silent" }),
    signal,
    deadline: Date.now() + deadlineInMs,
    now: new Date(),
  });
}

describe("runPipeline", () => {
  it("runs stages in order, skips those whose condition fails, and times those that ran", async () => {
    const ran: string[] = [];
    const stage = (name: string, when?: Stage["when"]): Stage => ({
      name,
      ...(when ? { when } : {}),
      run: async (t) => {
        ran.push(name);
        if (name === "b") t.answer = { response: "from b", by: "b" };
      },
    });
    const t = turn();
    await runPipeline(
      [
        stage("a"),
        stage("b"),
        stage("c", (x) => x.answer === undefined),
        stage("d", (x) => x.answer !== undefined),
      ],
      t,
    );
    expect(ran).toEqual(["a", "b", "d"]);
    expect(Object.keys(t.timing)).toEqual(["a", "b", "d"]);
    expect(t.answer?.response).toBe("from b");
  });

  it("cuts a stage off at the deadline with a retryable UNAVAILABLE, unless it keeps the deadline itself", async () => {
    const slow = (keepsDeadline: boolean): Stage => ({
      name: "slow",
      keepsDeadline,
      run: () => new Promise((r) => setTimeout(r, 300)),
    });
    await expect(runPipeline([slow(false)], turn(50))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      retryAfterS: 1,
    });
    const t = turn(50);
    await runPipeline([slow(true)], t);
    expect(t.timing.slow).toBeGreaterThanOrEqual(250);
  });

  it("stops before the next stage once the caller has gone", async () => {
    const abort = new AbortController();
    const ran: string[] = [];
    const stages: Stage[] = [
      {
        name: "a",
        run: async () => {
          ran.push("a");
          abort.abort();
        },
      },
      { name: "b", run: async () => void ran.push("b") },
    ];
    await expect(runPipeline(stages, turn(10_000, abort.signal))).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect(ran).toEqual(["a"]);
  });
});

describe("hooks and request ids through the real pipeline", () => {
  let rt: TestRuntime;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } });
    rt = await startTestRuntime({ logger });
  });
  afterAll(async () => {
    await rt?.close();
  });
  const post = (prompt: string, headers: Record<string, string> = {}) =>
    rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: { "content-type": "application/json", ...headers },
      payload: JSON.stringify({ prompt, actor_id: "3" }),
    });

  it("a beforeInvocation hook answers without any agent; a failing hook is logged, not fatal", async () => {
    const offA = rt.app.hooks.on("beforeInvocation", () => {
      throw new Error("hook exploded");
    });
    const offB = rt.app.hooks.on("beforeInvocation", (e) => {
      if (e.prompt.includes("maintenance")) e.respond("Flightly is in maintenance until 10:00.");
    });
    try {
      const res = await post("is the site in maintenance?");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        response: "Flightly is in maintenance until 10:00.",
        agents: [],
        usage: { modelCalls: 0 },
      });
      expect(lines.join("")).toMatch(/"hook":"beforeInvocation".*"msg":"hook handler failed"/);
    } finally {
      offA();
      offB();
    }
  });

  it("a beforeToolCall hook refuses a call: the tool does not run and the agent reads the reason", async () => {
    let ran = 0;
    const offRan = rt.app.hooks.on("afterToolCall", () => void ran++);
    const off = rt.app.hooks.on("beforeToolCall", (e) => {
      if (e.name === "search_flights") e.cancel("flight search is paused for this demo");
    });
    try {
      const res = await post("find flights from Seattle to Tokyo in June");
      expect(res.statusCode).toBe(200);
      const call = res.json().agents[0].calls[0];
      expect(call).toMatchObject({ tool: "search_flights", status: "error" });
      expect(call.summary).toBe("flight search is paused for this demo");
      expect(ran).toBe(1);
    } finally {
      off();
      offRan();
    }
  });

  it("logs the invocation under the request id the client sent", async () => {
    lines.length = 0;
    const offFail = rt.app.hooks.on("afterInvocation", () => {
      throw new Error("after hook failed");
    });
    const id = "req-trace-7f3a";
    try {
      const res = await post("what is the baggage allowance?", { "x-request-id": id });
      expect(res.statusCode).toBe(200);
    } finally {
      offFail();
    }
    const logged = lines.map((l) => JSON.parse(l) as { requestId?: string; reqId?: string; msg: string });
    expect(logged.some((l) => l.requestId === id && l.msg === "hook handler failed")).toBe(true);
  });
});
