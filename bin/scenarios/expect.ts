/**
 * Checks one answer against a turn's expectations. Each failed expectation says what was expected
 * and what happened; the trail is printed once per failed turn by the runner.
 */
import type { Sql } from "postgres";
import { compilePattern, type Expectation, type SqlCheck } from "./format.js";
import type { Reply } from "./target.js";

export interface Failure {
  /** Which expectation: `status`, `agents`, `tools`, `tool_args.search_flights`, `sql[0]`, … */
  expectation: string;
  expected: string;
  actual: string;
}

interface TrailCall {
  tool: string;
  input: unknown;
  status: string;
}

interface TrailStep {
  agent: string;
  calls: TrailCall[];
}

const show = (v: unknown): string => JSON.stringify(v) ?? "undefined";

/** The answer's trail (`agents[].agent`, `agents[].calls[]`), however much of it the body has. */
function trailOf(reply: Reply): TrailStep[] {
  const agents = Array.isArray(reply.body.agents) ? reply.body.agents : [];
  return agents.map((a: { agent?: unknown; calls?: unknown; tools?: unknown }) => ({
    agent: String(a.agent),
    calls: Array.isArray(a.calls)
      ? (a.calls as TrailCall[])
      : Array.isArray(a.tools)
        ? (a.tools as string[]).map((tool) => ({ tool, input: {}, status: "success" }))
        : [],
  }));
}

/** Whether a trail's tool is the one named: its registry name, or an MCP tool's without the server prefix. */
const sameTool = (tool: string, name: string): boolean =>
  tool === name || tool.replace(/^[\w-]+?__/, "") === name;

/** The trail on one line per agent, for failure messages. */
export function describeTrail(reply: Reply): string {
  const trail = trailOf(reply);
  const cache = reply.body.cache as { hit?: boolean; kind?: string | null } | undefined;
  const lines = [`status ${reply.status}; cache ${cache?.hit ? `${cache.kind} hit` : "miss"}`];
  if (trail.length === 0) lines.push("(no agent ran)");
  for (const step of trail) {
    const calls = step.calls.map(
      (c) => `${c.tool}(${show(c.input)})${c.status === "success" ? "" : ` ${c.status}`}`,
    );
    lines.push(`${step.agent}: ${calls.join(", ") || "no tools"}`);
  }
  const error = reply.body.error as { code?: string; message?: string } | undefined;
  if (error) lines.push(`error ${error.code}: ${error.message}`);
  return lines.join("\n");
}

/** Whether `actual` holds every field of `expected` (objects recursively, arrays and scalars equal). */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((v, i) => contains(actual[i], v))
    );
  }
  // Numbers PostgreSQL returns as text (bigint, numeric) equal the number they spell.
  if (typeof expected === "number" && typeof actual === "string")
    return actual.trim() !== "" && Number(actual) === expected;
  return actual === expected;
}

/** Whether `wanted` appears in `seen` in order (other calls may come between). */
function subsequence(seen: readonly string[], wanted: readonly string[]): boolean {
  let i = 0;
  for (const s of seen) if (i < wanted.length && sameTool(s, wanted[i]!)) i++;
  return i === wanted.length;
}

function cacheFailure(reply: Reply, want: NonNullable<Expectation["cache"]>): Failure | undefined {
  const cache = (reply.body.cache ?? {}) as { hit?: boolean; kind?: string | null };
  const actual = cache.hit ? `${cache.kind ?? "?"} hit` : "miss";
  const ok =
    want === "miss" ? !cache.hit : want === "hit" ? cache.hit === true : cache.hit && cache.kind === want;
  return ok ? undefined : { expectation: "cache", expected: want, actual };
}

/** The expectations on the answer itself (everything but `sql`). */
export function checkReply(reply: Reply, expect: Expectation): Failure[] {
  const failures: Failure[] = [];
  const trail = trailOf(reply);
  const calls = trail.flatMap((s) => s.calls);
  if (expect.status !== undefined && reply.status !== expect.status)
    failures.push({ expectation: "status", expected: String(expect.status), actual: String(reply.status) });
  if (expect.agents) {
    const agents = trail.map((s) => s.agent);
    if (show(agents) !== show(expect.agents))
      failures.push({ expectation: "agents", expected: show(expect.agents), actual: show(agents) });
  }
  if (expect.tools) {
    const tools = calls.map((c) => c.tool);
    if (!subsequence(tools, expect.tools))
      failures.push({
        expectation: "tools",
        expected: `${show(expect.tools)} in this order`,
        actual: show(tools),
      });
  }
  for (const [tool, args] of Object.entries(expect.tool_args ?? {})) {
    const inputs = calls.filter((c) => sameTool(c.tool, tool)).map((c) => c.input);
    if (!inputs.some((input) => contains(input, args)))
      failures.push({
        expectation: `tool_args.${tool}`,
        expected: `a ${tool} call with ${show(args)}`,
        actual: inputs.length ? inputs.map(show).join("; ") : `no ${tool} call`,
      });
  }
  if (expect.cache) {
    const f = cacheFailure(reply, expect.cache);
    if (f) failures.push(f);
  }
  if (expect.response_matches !== undefined) {
    const response = typeof reply.body.response === "string" ? reply.body.response : "";
    if (!compilePattern(expect.response_matches).test(response))
      failures.push({
        expectation: "response_matches",
        expected: `a response matching /${expect.response_matches}/`,
        actual: show(response.length > 600 ? `${response.slice(0, 600)}…` : response),
      });
  }
  return failures;
}

/** Fills `{{actor}}`, `{{started_at}}`, `{{session:NAME}}` and `{{idempotency:KEY}}`. */
export type Substitute = (text: string) => string;

/** Runs each query as the owner; rows are compared as JSON after a round trip (numbers, strings, null). */
export async function checkSql(
  sql: Sql,
  checks: readonly SqlCheck[],
  substitute: Substitute,
  actor: string,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const [i, check] of checks.entries()) {
    const query = substitute(check.query);
    let rows: unknown[];
    try {
      rows = await sql.begin(async (tx) => {
        // Tables under forced row-level security show this actor's rows to a non-superuser owner.
        await tx`SELECT set_config('flightly.actor_id', ${actor}, true)`;
        return [...(await tx.unsafe(query))];
      });
    } catch (err) {
      failures.push({
        expectation: `sql[${i}]`,
        expected: `${query} → ${show(check.equals)}`,
        actual: `query failed: ${err instanceof Error ? err.message : String(err)}`,
      });
      continue;
    }
    const actual = JSON.parse(JSON.stringify(rows)) as unknown[];
    const equal =
      actual.length === check.equals.length && actual.every((row, j) => exactKeys(row, check.equals[j]));
    if (!equal)
      failures.push({
        expectation: `sql[${i}]`,
        expected: `${query} → ${show(check.equals)}`,
        actual: show(actual),
      });
  }
  return failures;
}

/** A row equals the expected one when it has exactly its columns with equal values. */
function exactKeys(row: unknown, expected: unknown): boolean {
  if (!row || !expected || typeof row !== "object" || typeof expected !== "object") return false;
  const a = Object.keys(row).sort();
  const b = Object.keys(expected).sort();
  return show(a) === show(b) && contains(row, expected);
}
