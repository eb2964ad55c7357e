/**
 * The orchestrator's MCP features through the official SDK client on `serve --protocol mcp`:
 * server info and instructions, capabilities (logging, completions; no listChanged), titled
 * tools with output schemas, progress for `ask`, prompts with completion, policy resources,
 * recall without repeated memories, and JSON-RPC answers to bodies the transport never sees.
 */
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("orchestrator MCP features (serve --protocol mcp)", () => {
  let rt: TestRuntime;
  let url: URL;
  const connect = async (): Promise<Client> => {
    const client = new Client({ name: "features-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  };
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body,
    });

  beforeAll(async () => {
    rt = await startTestRuntime({ env: { PROTOCOL: "mcp", FLIGHTLY_ACTOR_ID: "1" } });
    const { port } = rt.running.http.server.address() as AddressInfo;
    url = new URL(`http://127.0.0.1:${port}/mcp`);
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("describes itself: title, instructions, logging and completions, no listChanged", async () => {
    const client = await connect();
    expect(client.getServerVersion()).toMatchObject({ name: "flightly", title: "Flightly" });
    expect(client.getInstructions()).toMatch(/recall_memories/);
    const caps = client.getServerCapabilities();
    expect(caps?.logging).toEqual({});
    expect(caps?.completions).toEqual({});
    expect(caps?.tools?.listChanged).toBeFalsy();
    expect(caps?.prompts?.listChanged).toBeFalsy();
    expect(caps?.resources?.listChanged).toBeFalsy();
    expect(await client.setLoggingLevel("warning")).toEqual({});
    await client.close();
  });

  it("lists titled tools with output schemas; ask streams one progress notification per step", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.outputSchema?.type).toBe("object");
    }
    const progress: Progress[] = [];
    // The SDK client checks structuredContent against the listed outputSchema.
    const res = await client.callTool(
      { name: "ask", arguments: { prompt: "show me flights from Denver to Lisbon next March" } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    );
    expect(res.isError).toBeFalsy();
    const trail = (res.structuredContent as { agents: { agent: string; tools: string[] }[] }).agents;
    const steps = trail.length + trail.reduce((n, a) => n + a.tools.length, 0);
    expect(steps).toBeGreaterThanOrEqual(2);
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    // The steps in trail order: each agent, then each of its tools.
    const expected = trail.flatMap((a) => [
      `${a.agent} agent working`,
      ...a.tools.map((t) => `${a.agent}: ${t}`),
    ]);
    expect(progress.map((p, i) => p.message?.startsWith(expected[i]!))).toEqual(expected.map(() => true));
    await client.close();
  });

  it("offers trip-planning and policy prompts whose arguments complete", async () => {
    const client = await connect();
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["plan_trip", "policy_lookup"]);
    const plan = await client.getPrompt({
      name: "plan_trip",
      arguments: { destination: "Reykjavik", origin: "Boston", dates: "late October" },
    });
    expect(plan.messages[0]?.content).toMatchObject({ type: "text" });
    expect(JSON.stringify(plan.messages)).toMatch(/Reykjavik from Boston, late October/);

    const places = await client.complete({
      ref: { type: "ref/prompt", name: "plan_trip" },
      argument: { name: "destination", value: "lis" },
    });
    expect(places.completion.values).toContain("Lisbon");
    const byCode = await client.complete({
      ref: { type: "ref/prompt", name: "plan_trip" },
      argument: { name: "origin", value: "JFK" },
    });
    expect(byCode.completion.values.some((v) => v.endsWith("(JFK)"))).toBe(true);
    const topics = await client.complete({
      ref: { type: "ref/prompt", name: "policy_lookup" },
      argument: { name: "topic", value: "ref" },
    });
    expect(topics.completion.values).toEqual(["refunds"]);
    const unknown = await client.complete({
      ref: { type: "ref/prompt", name: "no_such_prompt" },
      argument: { name: "x", value: "a" },
    });
    expect(unknown.completion.values).toEqual([]);
    await client.close();
  });

  it("lists and reads the policy documents as resources", async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(10);
    const first = resources[0]!;
    expect(first.uri).toMatch(/^flightly:\/\/policies\//);
    expect(first.description).toBeTruthy();
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]).toMatchObject({ uri: first.uri, mimeType: "text/markdown" });
    await expect(client.readResource({ uri: "flightly://policies/not-a-policy" })).rejects.toThrow();
    await client.close();
  });

  it("recall_memories lists a sentence said in three sessions once", async () => {
    const said = "My partner is vegetarian and we never fly overnight.";
    for (const session of ["trip-a", "trip-b", "trip-c"]) {
      await rt.app.memory.recordTurn({ actorId: "1", sessionId: `recall-${session}` }, [
        { role: "user", text: said, at: new Date().toISOString() },
      ]);
    }
    await rt.app.worker.drain({ timeoutMs: 30_000 });
    const client = await connect();
    const res = await client.callTool({
      name: "recall_memories",
      arguments: { query: "overnight flights", k: 10 },
    });
    const { memories } = res.structuredContent as { memories: { content: string }[] };
    const contents = memories.map((m) => m.content);
    expect(contents).toContain(said);
    expect(new Set(contents).size).toBe(contents.length);
    await client.close();
  });

  it("answers invalid JSON with a parse error and an oversized body with a JSON-RPC error", async () => {
    const bad = await post('{"jsonrpc":"2.0","id":1,"method":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      jsonrpc: "2.0",
      error: { code: -32700, message: expect.any(String) },
      id: null,
    });
    const big = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping", params: { pad: "x".repeat(5 * 1024 * 1024) } }),
    );
    expect(big.status).toBe(413);
    const bigBody = (await big.json()) as {
      jsonrpc: string;
      id: null;
      error: { code: number; message: string };
    };
    expect(bigBody).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    expect(bigBody.error.message).toMatch(/larger than/);
    const plain = await post(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "ping" }), {
      "content-type": "text/plain",
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number) } });
  });

  it("405 with Allow: POST for GET and DELETE; a foreign Host gets a JSON-RPC 403", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(url, { method, headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    }
    // fetch will not send another Host: a raw request, as a rebinding browser would.
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        { method: "POST", headers: { host: "rebound.example.com", "content-type": "application/json" } },
        (res) => {
          let data = "";
          res.on("data", (c) => {
            data += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: data }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" }));
    });
    expect(status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32000 } });
    expect(text).not.toMatch(/\bat \S+:\d+|node_modules|stack/);
  });
});
