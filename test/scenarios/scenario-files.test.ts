/**
 * The shipped scenario files (`scenarios/`) run through `flightly scenarios run` (the built CLI,
 * as CI runs it) on a private copy of the seeded world and all pass, with a JUnit report of one
 * test case per turn; a file whose expectations are wrong exits 1 and its JUnit failure names
 * each expectation, what happened and the trail; the README's example passes as written; a file
 * not in the format exits 2 unrun.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkReply } from "../../bin/scenarios/expect.js";
import { ROOT } from "../../core/paths.js";
import { runCli } from "../support/cli.js";
import { TEST_VALKEY_URL } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";

const EXAMPLES = join(ROOT, "scenarios");

describe("scenario files", () => {
  let world: WorldEnv;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await worldEnv("scenario-files");
    dir = mkdtempSync(join(tmpdir(), "flightly-scenario-files-"));
    // A Valkey outlives the killed service in the crash-and-resume file.
    env = { ...world.env, VALKEY_URL: TEST_VALKEY_URL, LOG_LEVEL: "warn" };
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await world?.close();
  });

  it("every example file passes, with one JUnit test case per turn", async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual([
      "cache-across-customers.yaml",
      "crash-and-resume.yaml",
      "flagship.yaml",
      "follow-ups.yaml",
      "guest-decline.yaml",
    ]);
    const turns = files.reduce(
      (n, f) => n + (parse(readFileSync(join(EXAMPLES, f), "utf8")) as { turns: unknown[] }).turns.length,
      0,
    );
    const junit = join(dir, "examples.xml");
    const run = await runCli(["scenarios", "run", EXAMPLES, "--junit", junit], env, 400_000);
    expect(run.code, `${run.stdout}\n${run.stderr.slice(-3000)}`).toBe(0);
    expect(run.stdout).toContain(`${turns} of ${turns} turns passed in ${files.length} files`);
    expect(run.stdout).toMatch(/killed the service 150 ms after sending/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain(`<testsuites name="flightly scenarios" tests="${turns}" failures="0" errors="0"`);
    expect(xml.match(/<testsuite /g)).toHaveLength(files.length);
    expect(xml.match(/<testcase /g)).toHaveLength(turns);
    expect(xml).not.toContain("<failure");
  }, 420_000);

  it("a file with wrong expectations exits 1; the JUnit failure names each one and shows the trail", async () => {
    const file = join(dir, "wrong.yaml");
    writeFileSync(
      file,
      [
        "name: expectations that cannot hold",
        'actor: "12"',
        "turns:",
        "  - prompt: are there seats from Portland to Honolulu in late August?",
        "    expect:",
        "      status: 200",
        "      agents: [payment]",
        "      tool_args: { search_flights: { origin: MIA } }",
        "      cache: semantic",
        '      response_matches: "(?i)no such words here"',
        "      sql:",
        "        - query: select count(*)::int as n from customers where id = {{actor}}",
        "          equals: [{ n: 2 }]",
        "  - prompt: and a hotel near Waikiki?",
        "",
      ].join("\n"),
    );
    const junit = join(dir, "wrong.xml");
    const run = await runCli(["scenarios", "run", file, "--junit", junit], env, 180_000);
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    expect(run.stdout).toContain("1 of 2 turns passed in 1 files");
    expect(run.stdout).toMatch(/agents\n\s+expected: \["payment"\]\n\s+actual: {3}\[[^\]]*"booking"\]/);
    expect(run.stdout).toMatch(
      /trail:\n\s+status 200; cache miss\n[\s\S]*booking: search_flights\(\{"origin":"PDX"/,
    );
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('tests="2" failures="1" errors="0"');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    const failure = /<failure message="([^"]*)"/.exec(xml)?.[1] ?? "";
    for (const name of ["agents", "tool_args.search_flights", "cache", "response_matches", "sql[0]"])
      expect(failure).toContain(`${name}: expected`);
    expect(failure).not.toContain("status: expected"); // the one expectation that held
    expect(failure).toContain("sql[0]: expected select count(*)::int as n from customers where id = 12");
    expect(xml).toMatch(
      /trail:\nstatus 200; cache miss\n[\s\S]*booking: search_flights\(\{&quot;origin&quot;:&quot;PDX&quot;/,
    );
  }, 200_000);

  it("the README's example file passes as written", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const example = /```yaml scenario\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const file = join(dir, "readme.yaml");
    writeFileSync(file, example!);
    const run = await runCli(["scenarios", "run", file], env, 180_000);
    expect(run.code, `${run.stdout}\n${run.stderr.slice(-3000)}`).toBe(0);
    expect(run.stdout).toContain("2 of 2 turns passed in 1 files");
  }, 200_000);

  it("--model FILE plays a scripted model: its tool call and answer are what the turn sees", async () => {
    const script = join(dir, "model.yaml");
    writeFileSync(
      script,
      [
        '- tool_uses: [{ name: search_flights, input: { origin: PDX, destination: HNL, date: "2027-09-14" } }]',
        '- "From the script: two options found."',
        "",
      ].join("\n"),
    );
    const file = join(dir, "scripted.yaml");
    writeFileSync(
      file,
      [
        "name: scripted replies",
        'actor: "6"',
        "turns:",
        "  - prompt: find me a flight out of Seattle next month",
        "    expect:",
        "      tool_args: { search_flights: { origin: PDX, date: 2027-09-14 } }",
        '      response_matches: "^From the script"',
        "",
      ].join("\n"),
    );
    const run = await runCli(["scenarios", "run", file, "--model", script], env, 120_000);
    expect(run.code, `${run.stdout}\n${run.stderr.slice(-3000)}`).toBe(0);
    const local = await runCli(["scenarios", "run", file], env, 120_000);
    expect(local.code).toBe(1); // the local planner searches from Seattle and words its own answer
    expect(local.stdout).toContain("tool_args.search_flights");
  }, 200_000);

  it("a file not in the format exits 2 and names the problem, running nothing", async () => {
    const file = join(dir, "malformed.yaml");
    writeFileSync(file, "name: typo\nturns:\n  - prompt: hello\n    expect: { agent: [booking] }\n");
    const run = await runCli(["scenarios", "run", file], env, 60_000);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("turns.0.expect");
    expect(run.stdout).toMatch(/agent/);
    expect(run.stdout).not.toContain("turns passed");
  });
});

describe("scenario expectations on an answer", () => {
  const reply = {
    status: 200,
    body: {
      response: "Your trip is INSURED and booked.",
      cache: { hit: false, kind: null },
      agents: [
        {
          agent: "support",
          calls: [{ tool: "postgres__run_query", input: { sql: "select 1" }, status: "success" }],
        },
        {
          agent: "booking",
          calls: [
            {
              tool: "search_flights",
              input: { origin: "SEA", destination: "NRT", passengers: 2 },
              status: "success",
            },
            { tool: "reserve_flight", input: { flight_id: "F9", passengers: 2 }, status: "success" },
          ],
        },
      ],
    },
  };
  const failed = (expect: Parameters<typeof checkReply>[1]) =>
    checkReply(reply, expect).map((f) => f.expectation);

  it("matches tools in order as a subsequence, MCP tools with or without their server prefix", () => {
    expect(failed({ tools: ["run_query", "reserve_flight"] })).toEqual([]);
    expect(failed({ tools: ["postgres__run_query", "search_flights"] })).toEqual([]);
    expect(failed({ tools: ["reserve_flight", "search_flights"] })).toEqual(["tools"]);
    expect(failed({ tools: ["search_flights", "search_flights"] })).toEqual(["tools"]);
  });

  it("checks the agents exactly, tool arguments as a subset, the cache kind and (?i) patterns", () => {
    expect(failed({ agents: ["support", "booking"] })).toEqual([]);
    expect(failed({ agents: ["booking"] })).toEqual(["agents"]);
    expect(failed({ tool_args: { search_flights: { origin: "SEA", passengers: 2 } } })).toEqual([]);
    expect(failed({ tool_args: { search_flights: { origin: "LAX" } } })).toEqual([
      "tool_args.search_flights",
    ]);
    expect(failed({ tool_args: { process_payment: {} } })).toEqual(["tool_args.process_payment"]);
    expect(failed({ cache: "miss" })).toEqual([]);
    expect(failed({ cache: "hit" })).toEqual(["cache"]);
    expect(failed({ response_matches: "(?i)insured and" })).toEqual([]);
    expect(failed({ response_matches: "insured and" })).toEqual(["response_matches"]);
    expect(failed({ status: 409 })).toEqual(["status"]);
    const hit = { ...reply, body: { ...reply.body, agents: [], cache: { hit: true, kind: "semantic" } } };
    expect(checkReply(hit, { cache: "semantic", agents: [] })).toEqual([]);
    expect(checkReply(hit, { cache: "exact" }).map((f) => f.actual)).toEqual(["semantic hit"]);
  });
});
