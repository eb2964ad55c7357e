/** The orchestrator over MCP: stateless Streamable HTTP (`serve --protocol mcp`) with the SDK client. */
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("flightly serve --protocol mcp", () => {
  let rt: TestRuntime;
  let url: URL;
  const connect = async (headers: Record<string, string> = {}): Promise<Client> => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    return client;
  };

  beforeAll(async () => {
    rt = await startTestRuntime({ env: { PROTOCOL: "mcp", FLIGHTLY_ACTOR_ID: "1" } });
    const { port } = rt.running.http.server.address() as AddressInfo;
    url = new URL(`http://127.0.0.1:${port}/mcp`);
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("lists ask and recall_memories with their annotations", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["ask", "recall_memories"]);
    expect(tools.find((t) => t.name === "recall_memories")?.annotations?.readOnlyHint).toBe(true);
    await client.close();
  });

  it("asks with a session across separate stateless requests, AgentCore's Mcp-Session-Id accepted", async () => {
    const client = await connect({ "Mcp-Session-Id": "agentcore-session-0000000000000000000001" });
    const session = `mcp-${Date.now()}`;
    const first = await client.callTool({
      name: "ask",
      arguments: { prompt: "find flights from Seattle to Tokyo in June", session_id: session },
    });
    expect(first.isError).toBeFalsy();
    const a = first.structuredContent as {
      session_id: string;
      actor_id: string;
      agents: { agent: string }[];
    };
    expect(a).toMatchObject({ session_id: session, actor_id: "1" });
    expect(a.agents.map((x) => x.agent)).toEqual(["booking"]);
    const second = await client.callTool({
      name: "ask",
      arguments: { prompt: "what about hotels there?", session_id: session },
    });
    const b = second.structuredContent as { agents: { agent: string; tools: string[] }[] };
    expect(b.agents.at(-1)).toMatchObject({
      agent: "booking",
      tools: ["search_hotels"],
      calls: [{ tool: "search_hotels" }],
    });
    await client.close();
  });

  it("answers bad arguments with a tool error, not a crash", async () => {
    const client = await connect();
    const res = await client.callTool({ name: "ask", arguments: { prompt: "" } });
    expect(res.isError).toBe(true);
    const recall = await client.callTool({ name: "recall_memories", arguments: { query: "budget", k: 500 } });
    expect(recall.isError).toBe(true);
    await client.close();
  });

  it("recalls only the configured actor's memories", async () => {
    await rt.app.memory.recordTurn({ actorId: "1", sessionId: "mcp-mem" }, [
      {
        role: "user",
        text: "We always fly with our two kids, aged 6 and 9, and prefer aisle seats.",
        at: new Date().toISOString(),
      },
    ]);
    await rt.app.worker.drain({ timeoutMs: 30_000 });
    const client = await connect();
    const res = await client.callTool({
      name: "recall_memories",
      arguments: { query: "seat preference", k: 5 },
    });
    const { memories } = res.structuredContent as { memories: { content: string }[] };
    expect(memories.map((m) => m.content).join(" ")).toMatch(/aisle/i);
    await client.close();
  });
});
