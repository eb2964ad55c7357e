/** `flightly invoke` and `flightly chat` as a user runs them. */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli, startNpmStart } from "../support/cli.js";
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

  it("invoke without a prompt exits 2 with usage", async () => {
    const res = await runCli(["invoke"], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/usage: flightly invoke/);
  }, 60_000);

  it("an option missing its value or an unknown option is a usage error, not a guest run", async () => {
    const missing = await runCli(["invoke", "show my bookings", "--actor"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--actor/);
    expect(missing.stdout).toBe("");
    const blank = await runCli(["invoke", "show my bookings", "--actor", " "], env);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/--actor needs a customer id/);
    const unknown = await runCli(["invoke", "hello", "--acter", "3"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--acter/);
  }, 60_000);

  it("invoke answers one request without loading the response cache into an in-process index", async () => {
    const { LOG_LEVEL: _, ...unset } = env;
    // A cached answer first, so a one-shot lookup has an entry to find.
    const prompt = "Is there wifi on the plane?";
    const first = await runCli(["invoke", prompt, "--verbose"], unset);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(["invoke", prompt, "--verbose"], unset);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/response index loaded/);
    const body = JSON.parse(again.stdout);
    expect(body.cache).toMatchObject({ hit: true });
    expect(body.response).toBe(JSON.parse(first.stdout).response);
  }, 120_000);

  it("invoke keeps info logs out of the way unless --verbose", async () => {
    const { LOG_LEVEL: _, ...unset } = env;
    const quiet = await runCli(["invoke", "How many bags can I check?"], unset);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/"level":30/);
    const verbose = await runCli(["invoke", "How many bags can I check?", "--verbose"], unset);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toMatch(/"level":30/);
    expect(JSON.parse(verbose.stdout).response).toBe(JSON.parse(quiet.stdout).response);
  }, 120_000);

  it("SIGTERM to npm start stops the service too", async () => {
    const served = await startNpmStart(env);
    const pid = served.proc.pid as number;
    await served.stop("SIGTERM");
    // The server's port closes: nothing is left listening behind npm.
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${served.url}/ping`).then(
        () => true,
        () => false,
      );
      if (!up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the service behind npm (pid ${pid}) still answers after SIGTERM`);
  }, 120_000);

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
