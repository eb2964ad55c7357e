/**
 * Fault: an MCP tool server dies mid-call, or hangs. The orchestrator's `McpClientManager` talks
 * to a real `flightly mcp weather` child over stdio; the test kills (or stops) that child. The
 * call in flight fails cleanly as a tool result, the manager starts a new child, the next call works.
 */
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { McpClientManager, type McpServerSpec } from "../../orchestrator/mcp-client.js";
import type { Tool, ToolContext } from "../../tools/types.js";
import { CLI } from "../support/cli.js";
import { sleep } from "../support/env.js";

const logger = createLogger({ level: "silent" });

function weatherSpec(timeoutMs: number): McpServerSpec {
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return {
    name: "weather",
    kind: "stdio",
    command: process.execPath,
    args: [CLI, "mcp", "weather"],
    env: { ...env, LOG_LEVEL: "warn", WEATHER_PROVIDER: "offline" },
    timeoutMs,
  };
}

/** Pids of this process's `flightly mcp weather` children. */
function weatherChildren(): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(process.pid), "-f", "mcp weather"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

const ctx = (): ToolContext => ({
  actor: { id: "1", guest: false },
  sessionId: "mcp-fault",
  logger,
  signal: new AbortController().signal,
  deadline: Date.now() + 30_000,
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(25);
  }
}

describe("fault: an MCP server dies or hangs", () => {
  let manager: McpClientManager | undefined;
  afterEach(async () => {
    for (const pid of weatherChildren()) process.kill(pid, "SIGCONT");
    await manager?.close();
  });

  const start = async (timeoutMs: number) => {
    const tools = new Map<string, Tool<unknown>>();
    manager = new McpClientManager([weatherSpec(timeoutMs)], tools, logger);
    await manager.start();
    // A cold child may take longer to start than a short call timeout: it keeps retrying.
    await until(() => tools.has("weather__get_forecast"), 20_000);
    const forecast = () => tools.get("weather__get_forecast")!.run({ location: "Tokyo", days: 2 }, ctx());
    return { tools, forecast };
  };

  it("killed mid-call: the call fails cleanly, the manager reconnects, the next call works", async () => {
    const { forecast } = await start(15_000);
    expect((await forecast()).status).toBe("success");
    const [first] = weatherChildren();
    expect(first).toBeGreaterThan(0);

    // Stop it so the call is surely in flight, then kill it.
    process.kill(first!, "SIGSTOP");
    const inFlight = forecast();
    await sleep(150);
    const killedAt = Date.now();
    process.kill(first!, "SIGKILL");
    const failed = await inFlight;
    expect(failed.status).toBe("error");
    expect(Date.now() - killedAt).toBeLessThan(3_000); // not the 15 s call timeout
    expect(failed.status === "error" && failed.error).toMatch(/weather__get_forecast failed|reconnecting/);

    // While reconnecting a call is answered at once with a readable error, never thrown.
    const during = await forecast();
    expect(["error", "success"]).toContain(during.status);

    await until(() => manager!.connected("weather") && weatherChildren().some((p) => p !== first), 10_000);
    const again = await forecast();
    expect(again.status).toBe("success");
    expect(weatherChildren()).not.toContain(first);
  });

  it("hung (SIGSTOP): the call times out, the manager replaces the child, the next call works", async () => {
    const { forecast } = await start(1_000);
    expect((await forecast()).status).toBe("success");
    const [hung] = weatherChildren();
    process.kill(hung!, "SIGSTOP");

    const started = Date.now();
    const timedOut = await forecast();
    expect(timedOut.status).toBe("error");
    expect(Date.now() - started).toBeLessThan(3_000);

    await until(() => manager!.connected("weather") && weatherChildren().some((p) => p !== hung), 15_000);
    expect((await forecast()).status).toBe("success");
    // The stopped child is killed (SIGKILL after the SDK's grace periods), not left behind.
    await until(() => !weatherChildren().includes(hung!), 10_000);
  });
});
