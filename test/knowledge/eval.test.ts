/**
 * `flightly eval --knowledge`: the labelled question set is well formed, quoted documents are
 * read from the answer, and a few questions run through the real pipeline on a copy of the
 * seeded world.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  formatKnowledgeReport,
  knowledgeSplitOf,
  quotedDocuments,
  readKnowledgeQuestions,
  runKnowledgeEval,
} from "../../bench/eval/knowledge.js";
import { createLogger } from "../../core/logger.js";
import { DATA, ROOT } from "../../core/paths.js";
import { startRetrieveServer } from "../support/retrieve-server.js";

const dir = mkdtempSync(join(tmpdir(), "flightly-eval-knowledge-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policies = JSON.parse(readFileSync(join(DATA, "knowledge", "policies.json"), "utf8")) as Array<{
  slug: string;
  title: string;
}>;

describe("the labelled knowledge questions", () => {
  const questions = readKnowledgeQuestions(join(ROOT, "bench", "eval", "knowledge-questions.json"));

  it("label every question with documents that exist, and split into two halves", () => {
    expect(questions.length).toBeGreaterThanOrEqual(60);
    const slugs = new Set(policies.map((p) => p.slug));
    for (const q of questions) for (const d of q.docs) expect(slugs, `${q.text} → ${d}`).toContain(d);
    const tune = questions.filter((q) => knowledgeSplitOf(q.text) === "tune").length;
    expect(tune).toBeGreaterThan(questions.length / 3);
    expect(questions.length - tune).toBeGreaterThan(questions.length / 3);
  });

  it("are not worded like the documents' titles", () => {
    const titles = new Set(policies.map((p) => p.title.toLowerCase()));
    for (const q of questions) expect(titles).not.toContain(q.text.toLowerCase());
  });
});

describe("the paraphrase development set", () => {
  const questions = readKnowledgeQuestions(join(ROOT, "bench", "eval", "knowledge-paraphrases.json"));

  it("labels its questions with documents that exist and asks of most documents", () => {
    const slugs = new Set(policies.map((p) => p.slug));
    for (const q of questions) for (const d of q.docs) expect(slugs, `${q.text} → ${d}`).toContain(d);
    expect(new Set(questions.map((q) => q.docs[0])).size).toBeGreaterThanOrEqual(60);
  });
});

describe("quoted documents", () => {
  const titles = policies.map((p): [string, string] => [p.title, p.slug]);
  it("are the bullets that open with a document's title, in order, once each", () => {
    const answer = [
      "From our help centre:",
      "- Service animals: trained dogs fly free in the cabin.",
      "- Traveling with a cat or dog in the cabin: small pets fly for $125.",
      "- Service animals: again.",
      "Anything else?",
    ].join("\n");
    expect(quotedDocuments(answer, titles)).toEqual(["pets-service-animals", "pets-in-cabin"]);
    expect(quotedDocuments("I'm not sure I can help with that.", titles)).toEqual([]);
  });
});

describe("flightly eval --knowledge", () => {
  it("runs each question through the pipeline and reports first and any hit rates", async () => {
    const file = join(dir, "tiny.json");
    writeFileSync(
      file,
      JSON.stringify({
        questions: [
          { text: "is it ok to bring my cat along in the cabin with me?", docs: ["pets-in-cabin"] },
          { text: "tell me a joke about pirates", docs: ["support-hours"] },
        ],
      }),
    );
    const seen: string[] = [];
    const report = await runKnowledgeEval({
      logger: createLogger({ level: "warn" }),
      dataset: file,
      template: inject("worldTemplate"),
      knowledgeBaseId: "",
      onVerdict: (v) => seen.push(`${v.first} ${v.quoted.join(",")} ${v.agents.join(">")}: ${v.response}`),
    });
    expect(report.questions).toBe(2);
    expect(report.backend).toBe("database");
    expect(report.first, seen.join("\n")).toEqual({ right: 1, of: 2, pct: 50 });
    expect(report.any.right).toBe(1);
    expect(seen[0]).toMatch(/^true pets-in-cabin/);
    expect(formatKnowledgeReport(report)).toMatch(/first quoted document right\s+50\.0%\s+\(1\/2\)/);
  });
});

describe("flightly eval --knowledge with KNOWLEDGE_BASE_ID", () => {
  it("retrieves through Bedrock Knowledge Base Retrieve's wire protocol", async () => {
    const kb = await startRetrieveServer();
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME = kb.url;
    process.env.AWS_ACCESS_KEY_ID = "AKIDTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "test-secret";
    try {
      const file = join(dir, "kb.json");
      writeFileSync(
        file,
        JSON.stringify({
          questions: [{ text: "can my cat sit with me in the cabin?", docs: ["pets-in-cabin"] }],
        }),
      );
      const report = await runKnowledgeEval({
        logger: createLogger({ level: "warn" }),
        dataset: file,
        template: inject("worldTemplate"),
        knowledgeBaseId: "KBEVAL0001",
      });
      expect(report.backend).toBe("bedrock-knowledge-base");
      expect(kb.requests.map((r) => r.path)).toContain("/knowledgebases/KBEVAL0001/retrieve");
      expect(kb.requests[0]?.body.retrievalQuery?.text).toBe("can my cat sit with me in the cabin?");
      expect(report.first).toEqual({ right: 1, of: 1, pct: 100 });
    } finally {
      process.env = saved;
      await kb.close();
    }
  });
});
