/**
 * The scenario file format (YAML): a name, the acting customer, and turns with expectations.
 * `parseScenario` reads and checks one file; every mistake is reported with its path in the file.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const name = z.string().regex(/^[\w.-]{1,64}$/, "a name of letters, digits, _ . -");
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const sqlCheck = z.strictObject({
  query: z.string().min(1),
  equals: z.array(z.record(z.string(), scalar)),
});

const expectation = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  agents: z.array(z.string()).optional(),
  tools: z.array(z.string()).optional(),
  tool_args: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  cache: z.enum(["miss", "hit", "exact", "semantic"]).optional(),
  response_matches: z.string().optional(),
  sql: z.array(sqlCheck).optional(),
});

const turn = z
  .strictObject({
    prompt: z.string().min(1),
    session: name.optional(),
    actor: z.union([z.string(), z.number()]).transform(String).optional(),
    idempotency_key: z
      .string()
      .regex(/^[\w.:-]{1,64}$/, "1-64 letters, digits or . _ : -")
      .optional(),
    kill_after_ms: z.number().int().min(0).max(600_000).optional(),
    expect: expectation.optional(),
  })
  .refine((t) => t.kill_after_ms === undefined || t.expect === undefined, {
    message: "a turn with kill_after_ms gets no answer to expect: put the expectations on the resend",
  });

const scenario = z
  .strictObject({
    name: z.string().min(1),
    actor: z.union([z.string(), z.number()]).transform(String).optional(),
    actor_sql: z.string().min(1).optional(),
    turns: z.array(turn).min(1),
  })
  .refine((s) => !(s.actor !== undefined && s.actor_sql !== undefined), {
    message: "give actor or actor_sql, not both",
  });

export type Scenario = z.infer<typeof scenario>;
export type Turn = Scenario["turns"][number];
export type Expectation = NonNullable<Turn["expect"]>;
export type SqlCheck = z.infer<typeof sqlCheck>;

/** Reads `file`; throws an Error listing every problem (`turns.2.expect.cache: …`). */
export function parseScenario(file: string): Scenario {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = scenario.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new Error(`${file}: not a scenario file:\n${problems.join("\n")}`);
  }
  for (const [i, t] of parsed.data.turns.entries()) {
    if (t.expect?.response_matches !== undefined) compilePattern(t.expect.response_matches, `turns.${i}`);
  }
  return parsed.data;
}

/** A regular expression; a leading `(?i)` (as in PCRE and RE2) makes it case-insensitive. */
export function compilePattern(source: string, where = "response_matches"): RegExp {
  const insensitive = source.startsWith("(?i)");
  try {
    return new RegExp(insensitive ? source.slice(4) : source, insensitive ? "iu" : "u");
  } catch (err) {
    throw new Error(`${where}.expect.response_matches: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Whether any turn kills the service (then it runs as a child process). */
export const killsService = (s: Scenario): boolean => s.turns.some((t) => t.kill_after_ms !== undefined);
