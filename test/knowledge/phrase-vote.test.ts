/**
 * The knowledge search's phrase vote: a document's multiword keyword counts when one clause of
 * the question says all its words (`phraseVote`), so words spread over a circumstance and an asked
 * object do not make the phrase.
 */
import { describe, expect, it } from "vitest";
import { type KnowledgeDocumentInput, searchKnowledge } from "../../memory/knowledge.js";
import { clausesOf, phraseVote } from "../../memory/knowledge-focus.js";
import { knowledgeDb } from "../support/knowledge-db.js";

describe("clauses and phrases (clausesOf, phraseVote)", () => {
  it("parts a question at punctuation into content words", () => {
    expect(clausesOf("my train was late, where do I park; thanks")).toEqual([
      ["train", "late"],
      ["park"],
      ["thanks"],
    ]);
  });

  it("counts a keyword said within one clause, in any order and any word form", () => {
    expect(phraseVote(clausesOf("the ferry got cancelled, what now"), "ferry, cancelled ferry")).toBe(1);
    expect(phraseVote(clausesOf("cancelling my ferry"), "cancelled ferry")).toBe(1);
    // A more general noun for a keyword's word (WordNet: a flight is a kind of trip).
    expect(phraseVote(clausesOf("can I move my trip"), "move flight")).toBe(1);
  });

  it("counts none whose words fall in two clauses, and no single-word keyword", () => {
    expect(phraseVote(clausesOf("the ferry got cancelled, who pays for parking"), "cancel parking")).toBe(0);
    expect(phraseVote(clausesOf("parking at the port"), "parking, port")).toBe(0);
  });
});

const DOCS: KnowledgeDocumentInput[] = [
  {
    slug: "parking-cancellation",
    kind: "policy",
    topic: "parking",
    title: "Cancelling a parking booking",
    keywords: ["cancel parking", "parking refund"],
    body: "A parking booking can be cancelled free until the day before; after that you pay for the first day of parking.",
  },
  {
    slug: "ferry-disruption",
    kind: "policy",
    topic: "ferries",
    title: "When a ferry does not sail",
    keywords: ["cancelled ferry", "stranded"],
    body: "If the sailing is called off we cover a night ashore and the car park until the next one.",
  },
];

describe("phrase vote in the hybrid search (PGlite, or TEST_DATABASE_URL's PostgreSQL)", () => {
  const db = knowledgeDb("knowledge-phrase-vote", DOCS);

  const hits = async (query: string) =>
    await searchKnowledge(db.sql, db.embedder, query, { kinds: ["policy"], limit: 2 });

  it("scores a document up by the keyword phrase one clause says, on the same words", async () => {
    const score = async (query: string, slug: string) =>
      (await hits(query)).find((h) => h.slug === slug)?.score ?? 0;
    // The same words either way: which clause "cancelled" sits in decides which subject it names.
    const ferryCancelled = "the ferry got cancelled, who pays for my parking";
    const parkingCancelled = "the ferry, who pays for my parking that got cancelled";
    expect(await score(ferryCancelled, "ferry-disruption")).toBeGreaterThan(
      await score(parkingCancelled, "ferry-disruption"),
    );
    expect(await score(parkingCancelled, "parking-cancellation")).toBeGreaterThan(
      await score(ferryCancelled, "parking-cancellation"),
    );
  });
});
