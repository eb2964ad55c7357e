/**
 * Finding 8, exposure: one rule for HTTP and MCP. A non-loopback bind without auth needs
 * TRUST_PLATFORM_AUTH; auth without an audience or client list needs AUTH_ALLOW_ANY_CLIENT;
 * `Host` is checked against loopback names on a loopback bind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exposurePolicy, loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { startMcpCommand } from "../../mcp-servers/index.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("exposure rule", () => {
  it("a non-loopback bind without auth refuses to start, naming TRUST_PLATFORM_AUTH", async () => {
    await expect(startTestRuntime({ env: { HOST: "0.0.0.0" } })).rejects.toThrow(/TRUST_PLATFORM_AUTH/);
    await expect(startTestRuntime({ env: { HOST: "0.0.0.0", PROTOCOL: "mcp" } })).rejects.toThrow(
      /TRUST_PLATFORM_AUTH/,
    );
  });

  it("MCP servers over HTTP follow the same rule", async () => {
    const config = loadConfig({ HOST: "0.0.0.0", LOG_LEVEL: "silent" });
    await expect(startMcpCommand("weather", 0, config, createLogger({ level: "silent" }))).rejects.toThrow(
      /TRUST_PLATFORM_AUTH/,
    );
  });

  it("TRUST_PLATFORM_AUTH=true allows it with a warning", () => {
    const policy = exposurePolicy(loadConfig({ HOST: "0.0.0.0", TRUST_PLATFORM_AUTH: "true" }), "0.0.0.0");
    expect(policy.warning).toMatch(/TRUST_PLATFORM_AUTH/);
  });

  it("auth with neither audience nor client list refuses unless AUTH_ALLOW_ANY_CLIENT", () => {
    const env = { AUTH_DISCOVERY_URL: "https://idp.example/.well-known/openid-configuration" };
    expect(() => exposurePolicy(loadConfig(env), "127.0.0.1")).toThrow(/AUTH_ALLOW_ANY_CLIENT/);
    expect(() =>
      exposurePolicy(loadConfig({ ...env, AUTH_ALLOW_ANY_CLIENT: "true" }), "127.0.0.1"),
    ).not.toThrow();
    expect(() =>
      exposurePolicy(loadConfig({ ...env, AUTH_ALLOWED_AUDIENCE: "api" }), "127.0.0.1"),
    ).not.toThrow();
  });
});

describe("Host allow-list on a loopback bind", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });

  for (const url of ["/invocations", "/metrics"]) {
    it(`Host: evil.com on ${url} is a 403 JSON error`, async () => {
      const res = await rt.running.http.inject({
        method: url === "/invocations" ? "POST" : "GET",
        url,
        headers: { host: "evil.com", "content-type": "application/json" },
        ...(url === "/invocations" ? { payload: JSON.stringify({ prompt: "hi", actor_id: "1" }) } : {}),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/Host not allowed/);
    });
  }

  it("a loopback Host is answered", async () => {
    const res = await rt.running.http.inject({
      method: "GET",
      url: "/metrics",
      headers: { host: "localhost:8080" },
    });
    expect(res.statusCode).toBe(200);
  });
});
