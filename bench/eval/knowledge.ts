/**
 * `flightly eval --knowledge`: labelled customer questions (`knowledge-questions.json`: each
 * question with the help-centre documents that answer it) through the real pipeline — the app of
 * `buildApp` with the local planner, the in-process store and no response cache, on a copy of the
 * seeded world, each question as a guest in a new session — and the hit rate of the first document
 * the answer quotes and of any document it quotes. With `KNOWLEDGE_BASE_ID` set, the knowledge
 * tool retrieves through Bedrock Knowledge Base Retrieve (the SDK's own endpoint variables point
 * it at a local server); the report says which backend answered each search.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { type Config, loadConfig } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { DATA, ROOT } from "../../core/paths.js";
import type { InvokeResult } from "../../orchestrator/orchestrator.js";
import { buildApp } from "../../orchestrator/runtime/app.js";
import { openServices } from "../../orchestrator/runtime/services.js";
import { benchEnv, copyWorld, seedWorld, tempDir } from "../setup.js";

const DEFAULT_KNOWLEDGE_QUESTIONS = join(ROOT, "bench", "eval", "knowledge-questions.json");

export interface KnowledgeQuestion {
  text: string;
  /** Slugs of the documents that answer it, best first. */
  docs: string[];
}

export type KnowledgeSplit = "all" | "tune" | "check";

export interface KnowledgeVerdict {
  question: KnowledgeQuestion;
  split: "tune" | "check";
  /** Slugs of the documents the answer quotes, in order. */
  quoted: string[];
  first: boolean;
  any: boolean;
  /** The agents that ran, in order, and whether the knowledge tool ran. */
  agents: string[];
  searched: boolean;
  response: string;
}

interface Figure {
  right: number;
  of: number;
  pct: number;
}

export interface KnowledgeReport {
  dataset: string;
  backend: "database" | "bedrock-knowledge-base";
  split: KnowledgeSplit;
  questions: number;
  first: Figure;
  any: Figure;
  /** Questions answered by the support agent's knowledge search at all. */
  searched: Figure;
  /** The same figures per half, when the whole set ran. */
  halves?: Record<"tune" | "check", { first: Figure; any: Figure }>;
}

const figure = (right: number, of: number): Figure => ({
  right,
  of,
  pct: of === 0 ? 0 : Math.round((1000 * right) / of) / 10,
});

/** Halves by a fixed hash of the text: `tune` to look at while changing retrieval, `check` to confirm. */
export function knowledgeSplitOf(text: string): "tune" | "check" {
  return createHash("sha256").update(text).digest().readUInt32BE(0) % 2 === 0 ? "tune" : "check";
}

export function readKnowledgeQuestions(file: string): KnowledgeQuestion[] {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { questions?: unknown };
  const list = Array.isArray(parsed) ? parsed : parsed.questions;
  if (!Array.isArray(list)) throw new Error(`${file}: expected {"questions": [{"text", "docs"}...]}`);
  return list.filter(
    (q): q is KnowledgeQuestion =>
      typeof q?.text === "string" &&
      Array.isArray(q.docs) &&
      q.docs.length > 0 &&
      q.docs.every((d: unknown) => typeof d === "string"),
  );
}

/** Titles of the help-centre documents to their slugs, longest title first. */
function titleIndex(): Array<[string, string]> {
  const docs = ["policies.json", "guides.json"].flatMap(
    (f) =>
      JSON.parse(readFileSync(join(DATA, "knowledge", f), "utf8")) as Array<{ slug: string; title: string }>,
  );
  return docs.map((d): [string, string] => [d.title, d.slug]).sort((a, b) => b[0].length - a[0].length);
}

/** The documents an answer quotes: each bullet that opens with a document's title, in order. */
export function quotedDocuments(response: string, titles: ReadonlyArray<[string, string]>): string[] {
  const out: string[] = [];
  for (const raw of response.split("\n")) {
    const line = raw.replace(/^\s*[-*•]\s*/, "");
    const hit = titles.find(([title]) => line.startsWith(`${title}:`) || line === title);
    if (hit && !out.includes(hit[1])) out.push(hit[1]);
  }
  return out;
}

function verdict(
  q: KnowledgeQuestion,
  r: InvokeResult,
  titles: ReadonlyArray<[string, string]>,
): KnowledgeVerdict {
  const quoted = quotedDocuments(r.response, titles);
  const gold = new Set(q.docs);
  return {
    question: q,
    split: knowledgeSplitOf(q.text),
    quoted,
    first: quoted[0] !== undefined && gold.has(quoted[0]),
    any: quoted.some((s) => gold.has(s)),
    agents: r.agents.map((a) => a.agent),
    searched: r.agents.some((a) => (a.calls ?? []).some((c) => c.tool === "search_knowledge_base")),
    response: r.response,
  };
}

/** The evaluation's configuration: the embedded world in `dataDir`, local model, in-process store. */
function evalConfig(dataDir: string, knowledgeBaseId: string | undefined): Config {
  const env = benchEnv(process.env, "", dataDir);
  delete env.VALKEY_URL;
  if (knowledgeBaseId) env.KNOWLEDGE_BASE_ID = knowledgeBaseId;
  return loadConfig(env);
}

export interface KnowledgeEvalOptions {
  logger: Logger;
  dataset?: string;
  split?: KnowledgeSplit;
  /** A seeded data directory to copy (tests pass theirs); by default a new one is seeded. */
  template?: string;
  /** Retrieve through this Bedrock knowledge base (default: `KNOWLEDGE_BASE_ID` of the environment). */
  knowledgeBaseId?: string;
  onVerdict?: (v: KnowledgeVerdict) => void;
}

export async function runKnowledgeEval(options: KnowledgeEvalOptions): Promise<KnowledgeReport> {
  const dataset = options.dataset ?? DEFAULT_KNOWLEDGE_QUESTIONS;
  const split = options.split ?? "all";
  const questions = readKnowledgeQuestions(dataset).filter(
    (q) => split === "all" || knowledgeSplitOf(q.text) === split,
  );
  const knowledgeBaseId = options.knowledgeBaseId ?? (process.env.KNOWLEDGE_BASE_ID || undefined);
  const titles = titleIndex();
  const cleanup: Array<() => void> = [];
  const dir = tempDir("flightly-eval-knowledge-", cleanup);
  const config = evalConfig(dir, knowledgeBaseId);
  const verdicts: KnowledgeVerdict[] = [];
  try {
    if (options.template) copyWorld(options.template, dir);
    else await seedWorld(config, options.logger);
    const services = await openServices(config, options.logger);
    try {
      const app = await buildApp(services, { worker: false, semanticCache: false });
      try {
        const run = createHash("sha256").update(dataset).digest("hex").slice(0, 8);
        for (const [i, q] of questions.entries()) {
          const result = await app.orchestrator.invoke({
            prompt: q.text,
            sessionId: `eval-kb-${run}-${i}`,
            actorId: `eval-kb-guest-${run}-${i}`,
          });
          const v = verdict(q, result, titles);
          options.onVerdict?.(v);
          verdicts.push(v);
        }
      } finally {
        await app.close();
      }
    } finally {
      await services.close();
    }
  } finally {
    for (const done of cleanup) done();
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (list: KnowledgeVerdict[]) => ({
    first: figure(list.filter((v) => v.first).length, list.length),
    any: figure(list.filter((v) => v.any).length, list.length),
  });
  return {
    dataset: basename(dataset),
    backend: knowledgeBaseId ? "bedrock-knowledge-base" : "database",
    split,
    questions: verdicts.length,
    ...of(verdicts),
    searched: figure(verdicts.filter((v) => v.searched).length, verdicts.length),
    ...(split === "all"
      ? {
          halves: {
            tune: of(verdicts.filter((v) => v.split === "tune")),
            check: of(verdicts.filter((v) => v.split === "check")),
          },
        }
      : {}),
  };
}

const line = (label: string, f: Figure): string =>
  `  ${label.padEnd(30)} ${f.pct.toFixed(1).padStart(5)}%  (${f.right}/${f.of})`;

export function formatKnowledgeReport(r: KnowledgeReport): string {
  return [
    `flightly eval --knowledge: ${r.dataset}, ${r.questions} questions (split ${r.split}, retrieval: ${r.backend})`,
    line("first quoted document right", r.first),
    line("any quoted document right", r.any),
    line("knowledge search ran", r.searched),
    ...(r.halves
      ? (["tune", "check"] as const).flatMap((h) => [
          line(`${h} half: first right`, r.halves![h].first),
          line(`${h} half: any right`, r.halves![h].any),
        ])
      : []),
  ].join("\n");
}
