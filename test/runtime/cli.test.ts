/** `flightly invoke` and `flightly chat` as a user runs them. */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/cli.js";
import { TEST_VALKEY_URL } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";

describe("command line", () => {
  let world: WorldEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    world = await worldEnv("cli");
    env = { ...world.env, LOG_LEVEL: "warn", VALKEY_URL: TEST_VALKEY_URL };
  });
  afterAll(() => world?.close());

  it("invoke prints the JSON answer with the handoff trail on stdout, logs on stderr", async () => {
    const res = await runCli(["invoke", "What is the checked baggage allowance?", "--actor", "3"], env);
    expect(res.code, res.stderr).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body).toMatchObject({ actor_id: "3", model: "local" });
    expect(body.agents[0].agent).toBe("support");
    expect(res.stdout.trim().startsWith("{")).toBe(true);
  }, 120_000);

  it("invoke without a prompt exits 1 with usage", async () => {
    const res = await runCli(["invoke"], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/usage: flightly invoke/);
  }, 60_000);

  it("chat shows which agent speaks, tool calls and cache hits", async () => {
    const child = spawn(process.execPath, [CLI, "chat", "--actor", "8"], { env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const waitFor = async (re: RegExp, count = 1) => {
      for (let i = 0; i < 600; i++) {
        if ((out.match(new RegExp(re, "g")) ?? []).length >= count) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re}\n${out}`);
    };
    await waitFor(/you> /);
    child.stdin.write("What is the pet policy for the cabin? (chat test)\n");
    await waitFor(/you> /, 2);
    child.stdin.write("What is the pet policy for the cabin? (chat test)\n");
    await waitFor(/you> /, 3);
    child.stdin.end("\n");
    await new Promise((r) => child.once("exit", r));
    expect(out).toMatch(/· support agent/);
    expect(out).toMatch(/↳ search_knowledge_base \(success/);
    expect(out).toMatch(/cache exact hit/);
  }, 120_000);
});
