/**
 * `flightly scenarios run <file-or-dir>…`: runs scenario files against the service's real
 * pipeline, one file at a time, each on fresh session ids, idempotency keys and answer-cache
 * namespace. Exit code 0 when every expectation held, 1 when one failed or a turn could not run,
 * 2 when a file is not in the format (nothing runs then).
 */
import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { checkReply, checkSql, describeTrail, type Failure } from "./expect.js";
import { killsService, parseScenario, type Scenario } from "./format.js";
import type { CaseResult, SuiteResult } from "./junit.js";
import { loadScript } from "./script.js";
import { childTarget, inProcessTarget, type Target } from "./target.js";

export interface RunOptions {
  config: Config;
  logger: Logger;
  paths: readonly string[];
  /** `local` (default), `bedrock`, `openai`, or a file of scripted model replies (YAML or JSON). */
  model?: string;
  /** How to start the CLI for `serve` children: node and its script (default: this process's). */
  cli?: readonly string[];
  /** Where progress and failures go (default stdout). */
  write?: (text: string) => void;
}

export interface RunReport {
  code: number;
  suites: SuiteResult[];
}

const PROVIDERS = new Set(["local", "bedrock", "openai"]);

/** Every `.yaml` / `.yml` file named or under a named directory, sorted. */
function scenarioFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (/\.ya?ml$/i.test(path)) found.push(path);
  };
  for (const p of paths) walk(p);
  return found;
}

const clip = (text: string, n: number): string => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const indent = (text: string, pad: string): string =>
  text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");

function failureText(f: Failure): string {
  return `${f.expectation}\n  expected: ${f.expected}\n  actual:   ${f.actual}`;
}

export async function runScenarios(options: RunOptions): Promise<RunReport> {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  const files = scenarioFiles(options.paths);
  if (files.length === 0) {
    write(`no scenario files (.yaml, .yml) in ${options.paths.join(", ")}\n`);
    return { code: 2, suites: [] };
  }
  const parsed: Array<{ file: string; scenario: Scenario }> = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      parsed.push({ file, scenario: parseScenario(file) });
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  const model = options.model ?? "local";
  let script: ReturnType<typeof loadScript> | undefined;
  if (!PROVIDERS.has(model)) {
    try {
      script = loadScript(model);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    for (const { file, scenario } of parsed)
      if (killsService(scenario))
        problems.push(
          `${file}: kill_after_ms runs the service as a child process, which a scripted model cannot drive`,
        );
  }
  if (problems.length > 0) {
    write(`${problems.join("\n")}\n`);
    return { code: 2, suites: [] };
  }
  const config: Config = PROVIDERS.has(model)
    ? {
        ...options.config,
        model: { ...options.config.model, provider: model as Config["model"]["provider"] },
      }
    : options.config;
  const suites: SuiteResult[] = [];
  for (const { file, scenario } of parsed) {
    write(`${file}: ${scenario.name}\n`);
    const suite = await runFile(file, scenario, {
      config,
      logger: options.logger,
      write,
      cli: options.cli ?? [process.execPath, process.argv[1]!],
      ...(PROVIDERS.has(model) ? { provider: model } : {}),
      ...(script ? { script } : {}),
    });
    suites.push(suite);
  }
  const cases = suites.flatMap((s) => s.cases);
  const failed = cases.filter((c) => c.failures.length > 0 || c.error !== undefined).length;
  write(`\n${cases.length - failed} of ${cases.length} turns passed in ${suites.length} files\n`);
  return { code: failed === 0 ? 0 : 1, suites };
}

interface FileContext {
  config: Config;
  logger: Logger;
  write: (text: string) => void;
  cli: readonly string[];
  provider?: string;
  script?: ReturnType<typeof loadScript>;
}

async function openTarget(scenario: Scenario, runId: string, ctx: FileContext): Promise<Target> {
  if (!killsService(scenario)) {
    return inProcessTarget(ctx.config, ctx.logger, {
      cacheNamespace: runId,
      ...(ctx.script ? { model: new ScriptedModel(ctx.script) } : {}),
    });
  }
  if (!ctx.config.valkey.url)
    throw new Error(
      "kill_after_ms needs a session store that outlives the service: set VALKEY_URL (the in-process store dies with the process)",
    );
  return childTarget(ctx.config, ctx.cli, ctx.provider ? { MODEL_PROVIDER: ctx.provider } : {});
}

async function runFile(file: string, scenario: Scenario, ctx: FileContext): Promise<SuiteResult> {
  const started = performance.now();
  const runId = `scen-${randomUUID().slice(0, 8)}`;
  const startedAt = new Date().toISOString();
  const cases: CaseResult[] = scenario.turns.map((t, i) => ({
    name: `turn ${i + 1}: ${clip(t.prompt, 70)}`,
    ms: 0,
    failures: [],
  }));
  const suite = (): SuiteResult => ({ name: scenario.name, file, ms: performance.now() - started, cases });
  let target: Target | undefined;
  let broken: string | undefined;
  try {
    target = await openTarget(scenario, runId, ctx);
    const fileActor = scenario.actor_sql
      ? await actorFromSql(target, scenario.actor_sql)
      : (scenario.actor ?? ctx.config.localActorId);
    const sessions = new Map<string, string>();
    const session = (name: string): string => {
      if (!sessions.has(name)) sessions.set(name, `${runId}-${name}`);
      return sessions.get(name)!;
    };
    for (const [i, turn] of scenario.turns.entries()) {
      const c = cases[i]!;
      const t0 = performance.now();
      const actor = turn.actor ?? fileActor;
      const substitute = (text: string): string =>
        text
          .replaceAll("{{actor}}", actor)
          .replaceAll("{{started_at}}", startedAt)
          .replace(/\{\{session:([\w.-]+)\}\}/g, (_, name: string) => session(name))
          .replace(/\{\{idempotency:([\w.:-]+)\}\}/g, (_, key: string) => `${runId}-${key}`);
      const req = {
        prompt: turn.prompt,
        // A turn without a session name gets one of its own (`:` never occurs in a named one's id).
        session: turn.session ? session(turn.session) : `${runId}:${i + 1}`,
        actor,
        ...(turn.idempotency_key ? { idempotencyKey: `${runId}-${turn.idempotency_key}` } : {}),
      };
      try {
        if (turn.kill_after_ms !== undefined) {
          const answered = await target.killDuring(req, turn.kill_after_ms);
          const when = answered ? "after it answered" : "before it answered";
          ctx.write(
            `  ✓ ${c.name} (killed the service ${turn.kill_after_ms} ms after sending, ${when}; restarted)\n`,
          );
        } else {
          const reply = await target.invoke(req);
          const failures = turn.expect ? checkReply(reply, turn.expect) : [];
          if (turn.expect?.sql)
            failures.push(...(await checkSql(target.sql(), turn.expect.sql, substitute, actor)));
          // The trail closes the turn's last failure (JUnit shows them together).
          c.failures = failures.map((f, n) => ({
            message: `${f.expectation}: expected ${clip(f.expected, 200)}, got ${clip(f.actual, 200)}`,
            detail:
              n === failures.length - 1
                ? `${failureText(f)}\n\ntrail:\n${describeTrail(reply)}`
                : failureText(f),
          }));
          if (failures.length === 0) ctx.write(`  ✓ ${c.name}\n`);
          else {
            ctx.write(`  ✗ ${c.name}\n`);
            for (const f of failures) ctx.write(`${indent(failureText(f), "    ")}\n`);
            ctx.write(`    trail:\n${indent(describeTrail(reply), "      ")}\n`);
          }
        }
      } catch (err) {
        broken = err instanceof Error ? err.message : String(err);
        c.error = broken;
        ctx.write(`  ✗ ${c.name}\n${indent(`error: ${broken}`, "    ")}\n`);
      } finally {
        c.ms = performance.now() - t0;
      }
      if (broken) {
        for (const rest of cases.slice(i + 1))
          rest.error = `not run: an earlier turn broke (${clip(broken, 200)})`;
        break;
      }
    }
  } catch (err) {
    broken = err instanceof Error ? err.message : String(err);
    for (const c of cases) c.error ??= `not run: ${broken}`;
    ctx.write(`  ✗ could not run: ${broken}\n`);
  } finally {
    await target
      ?.close()
      .catch((err: unknown) => ctx.logger.warn({ err }, "closing the scenario's service failed"));
  }
  return suite();
}

async function actorFromSql(target: Target, query: string): Promise<string> {
  const rows = await target.sql().unsafe(query);
  const first = rows[0] as Record<string, unknown> | undefined;
  const value = first ? Object.values(first)[0] : undefined;
  if (value === undefined || value === null) throw new Error(`actor_sql found no actor: ${query}`);
  return String(value);
}
