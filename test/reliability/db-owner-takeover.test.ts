/**
 * The process that owns the embedded database dies under a running orchestrator (the MCP server a
 * client such as Claude Desktop talks to): another host takes over and the client's next `ask` and
 * `recall_memories` succeed, with no connection error in the answer. PGlite-only by nature.
 */
import { rmSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Served, startServe } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { alive, hostPid } from "../support/processes.js";
import { worldDir } from "../support/world.js";
import { waitHealthy } from "./support.js";

interface AskResult {
  response: string;
  agents: Array<{ agent: string; tools: string[] }>;
}

describe.skipIf(process.env.TEST_DATABASE_URL)(
  "the embedded database's owner dies under the orchestrator",
  () => {
    const dir = worldDir();
    let served: Served;
    let client: Client;

    beforeAll(async () => {
      const port = await freePort();
      served = await startServe(
        {
          DATA_DIR: dir,
          LOG_LEVEL: "warn",
          PORT: String(port),
          MCP_PORT: String(port),
          FLIGHTLY_ACTOR_ID: "5",
        },
        ["--protocol", "mcp"],
      );
      await waitHealthy(served.url);
      client = new Client({ name: "takeover-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${served.url}/mcp`)));
    }, 120_000);
    afterAll(async () => {
      await client?.close().catch(() => {});
      await served?.stop("SIGKILL");
      const pid = hostPid(dir);
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });

    it("answers ask and recall_memories after the host is killed", async () => {
      const session = uniq("takeover");
      const before = await client.callTool({
        name: "ask",
        arguments: {
          prompt: "I'd like a window seat whenever possible. What hotels are in Lisbon?",
          session_id: session,
        },
      });
      expect(before.isError, JSON.stringify(before.content)).toBeFalsy();

      const killed = hostPid(dir);
      process.kill(killed, "SIGKILL");
      for (let i = 0; i < 100 && alive(killed); i++) await sleep(20);
      expect(alive(killed)).toBe(false);

      const t0 = Date.now();
      const after = await client.callTool({
        name: "ask",
        arguments: { prompt: "Which hotels are there in Madrid?", session_id: session },
      });
      expect(after.isError, JSON.stringify(after.content)).toBeFalsy();
      const answer = after.structuredContent as unknown as AskResult;
      expect(answer.agents.flatMap((a) => a.tools)).toContain("search_hotels");
      expect(answer.response).not.toMatch(/ECONNREFUSED|ENOENT|connection|socket/i);
      expect(answer.response).toMatch(/Madrid/);

      const recalled = await client.callTool({
        name: "recall_memories",
        arguments: { query: "seat preference" },
      });
      expect(recalled.isError, JSON.stringify(recalled.content)).toBeFalsy();
      expect(Date.now() - t0).toBeLessThan(30_000);
      const pid = hostPid(dir);
      expect(pid).not.toBe(killed);
      expect(alive(pid)).toBe(true);
    }, 120_000);
  },
);
