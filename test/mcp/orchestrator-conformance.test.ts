/**
 * The official MCP conformance suite (active server scenarios) against both of the orchestrator's
 * Streamable HTTP endpoints, in process on a test world: `serve --protocol mcp` (stateless, the
 * AgentCore route) and the stateful sessions of `mcp orchestrator --http`. Every failing scenario
 * must be listed in orchestrator-conformance-baseline.yml with its reason, and every listed one
 * must still fail (the suite's own check of the baseline).
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runHttp } from "../../mcp-servers/index.js";
import type { McpHttpHandle } from "../../mcp-servers/transport.js";
import { createOrchestratorMcpServer } from "../../orchestrator/mcp-server.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import { runConformance, tally } from "./conformance-suite.js";

const BASELINE = join(import.meta.dirname, "orchestrator-conformance-baseline.yml");
/** Scenarios the suite runs on every server: these never belong in the baseline. */
const MUST_PASS = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "completion-complete",
  "tools-list",
  "prompts-list",
  "resources-list",
  "dns-rebinding-protection",
];

const baseline = parse(readFileSync(BASELINE, "utf8")) as { server: string[]; stateless: string[] };

/** Runs the suite against `url` with the expected failures given. */
async function conformance(url: string, expected: string[]) {
  const result = await runConformance(url, expected);
  return { ...result, ...tally(result), out: result.output };
}

describe("MCP conformance suite on the orchestrator", () => {
  let rt: TestRuntime;
  let stateful: McpHttpHandle;

  beforeAll(async () => {
    rt = await startTestRuntime({ env: { PROTOCOL: "mcp", FLIGHTLY_ACTOR_ID: "1" } });
    stateful = await runHttp(
      () =>
        createOrchestratorMcpServer({
          orchestrator: rt.app.orchestrator,
          memory: rt.app.memory,
          logger: rt.logger,
          actorId: () => "1",
        }),
      0,
      "127.0.0.1",
    );
  });
  afterAll(async () => {
    await stateful?.close();
    await rt?.close();
  });

  it("the baseline lists only fixture scenarios, each once", () => {
    const all = [...baseline.server, ...baseline.stateless];
    expect(new Set(all).size).toBe(all.length);
    for (const scenario of MUST_PASS) expect(all).not.toContain(scenario);
  });

  it("serve --protocol mcp (stateless): only the baseline's scenarios fail", {
    timeout: 300_000,
  }, async () => {
    const { port } = rt.running.http.server.address() as AddressInfo;
    const result = await conformance(`http://127.0.0.1:${port}/mcp`, [
      ...baseline.server,
      ...baseline.stateless,
    ]);
    console.info(`conformance, serve --protocol mcp: ${result.passed} passed, ${result.failed} failed`);
    expect(result.code, result.out).toBe(0);
    for (const scenario of MUST_PASS)
      expect(result.out).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
  });

  it("mcp orchestrator --http (sessions): only the baseline's scenarios fail", {
    timeout: 300_000,
  }, async () => {
    const result = await conformance(stateful.url, baseline.server);
    console.info(`conformance, mcp orchestrator --http: ${result.passed} passed, ${result.failed} failed`);
    expect(result.code, result.out).toBe(0);
    for (const scenario of MUST_PASS)
      expect(result.out).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
  });
});
