/**
 * Hybrid knowledge search (`searchKnowledge`): full text over title, topic and body, pgvector over
 * the documents' descriptors, fused by reciprocal rank — on embedded PGlite, or on
 * TEST_DATABASE_URL's PostgreSQL in the real-PG lane, through the same statement.
 */
import { describe, expect, it } from "vitest";
import {
  ALIGN_WEIGHT,
  type KnowledgeDocumentInput,
  type KnowledgeHit,
  searchKnowledge,
  upsertKnowledgeDocument,
} from "../../memory/knowledge.js";
import { knowledgeDb } from "../support/knowledge-db.js";

const DOCS: KnowledgeDocumentInput[] = [
  {
    slug: "strollers",
    kind: "policy",
    topic: "children",
    title: "Strollers and car seats",
    body: "Push-chairs travel free on every flight. Hand them over at the gate and collect them at the aircraft door.",
  },
  {
    slug: "checked-bags",
    kind: "policy",
    topic: "baggage",
    title: "Checked bag allowance",
    body: "One checked bag of 23 kg is included on each flight. Strollers never count towards it.",
  },
  {
    slug: "pets-abroad",
    kind: "faq",
    topic: "pets",
    title: "Taking an animal abroad",
    body: "Some islands impose a quarantine on arrival for every flight with a dog or cat on board.",
  },
  {
    slug: "flight-changes",
    kind: "policy",
    topic: "changes",
    title: "Changing the date of a flight",
    body: "Move your flight to another day for free up to a day before departure.",
  },
  {
    slug: "refund-timing",
    kind: "policy",
    topic: "refunds",
    title: "How long refunds take",
    body: "Card refunds show within ten business days of approval after the flight is cancelled.",
  },
  {
    slug: "paris-guide",
    kind: "guide",
    city: "Paris",
    iata: "CDG",
    title: "Paris: arrondissements and the RER",
    body: "Stay in the Marais for walking; the RER B train runs from the airport into the city.",
  },
];

describe("hybrid knowledge search (PGlite, or TEST_DATABASE_URL's PostgreSQL)", () => {
  const db = knowledgeDb("knowledge-search", DOCS);
  const search = (
    query: string,
    kinds: KnowledgeDocumentInput["kind"][] = ["policy", "faq"],
    city?: string,
  ) => searchKnowledge(db.sql, db.embedder, query, { kinds, limit: 6, ...(city ? { city } : {}) });

  it("indexes the weighted text with a GIN index over the search function", async () => {
    const [index] = await db.sql<{ indexdef: string }[]>`
      SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_documents_search'`;
    expect(index?.indexdef).toMatch(
      /USING gin \(knowledge_search_text\(title, topic, city, keywords, body\)\)/,
    );
  });

  it("ranks a word in the title above the same word in another document's body", async () => {
    const hits = await search("what about strollers?");
    expect(hits.map((h) => h.slug).slice(0, 2)).toEqual(["strollers", "checked-bags"]);
    expect(hits[0]?.textRank).toBe(1);
    expect(hits[1]?.textRank).toBe(2);
  });

  it("weighs words by rarity: a word one document has beats one that every document has", async () => {
    // "flight" is in almost every body; "quarantine" in one.
    const hits = await search("flight quarantine");
    expect(hits[0]?.slug).toBe("pets-abroad");
  });

  it("finds through the vectors what shares no word with any document (a misspelling)", async () => {
    const hits = await search("refundz");
    expect(hits[0]).toMatchObject({ slug: "refund-timing", textRank: null, vectorRank: 1 });
    expect(hits[0]?.similarity).toBeGreaterThan(0);
  });

  it("fuses both rankings: every hit carries its ranks and the fused score orders them", async () => {
    const hits = await search("how long until my refund shows on the card");
    expect(hits[0]?.slug).toBe("refund-timing");
    expect(hits[0]?.vectorRank).not.toBeNull();
    expect(hits[0]?.textRank).toBe(1);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("answers a question of function words only from the vectors, without an error", async () => {
    const hits = await search("how can i?");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.textRank === null)).toBe(true);
  });

  it("keeps to the kinds and the city asked for", async () => {
    const policies = await search("the airport train into the city");
    expect(policies.map((h) => h.slug)).not.toContain("paris-guide");
    const guides = await search("the airport train into the city", ["guide"], "cdg");
    expect(guides.map((h) => h.slug)).toEqual(["paris-guide"]);
    expect(await search("the airport train into the city", ["guide"], "Tokyo")).toEqual([]);
  });

  it("BM25F: one mention in a title outweighs two in another document's body", async () => {
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "gliders",
      kind: "policy",
      topic: "sports",
      title: "Hang gliders as checked items",
      body: "Pack the frame in a padded case.",
    });
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "kites",
      kind: "policy",
      topic: "sports",
      title: "Kites and kite boards",
      body: "A glider wing packs like a kite; a folded glider frame travels as a bag.",
    });
    const hits = await search("gliders");
    expect(hits.slice(0, 2).map((h) => [h.slug, h.textRank])).toEqual([
      ["gliders", 1],
      ["kites", 2],
    ]);
  });

  it("ranks by the best passage: words that meet in two sentences beat the same words scattered", async () => {
    // "spread" names each word twice, one to a passage; "together" names each once, in one sentence.
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "spread",
      kind: "policy",
      topic: "sports",
      title: "Water sports gear",
      body: [
        "A kayak counts as one checked item.",
        "Fees are listed on the fares page.",
        "Every paddle goes in a padded sleeve.",
        "Labels must show your name.",
        "Anything over three metres ships as cargo.",
        "Wrap sharp edges in foam.",
        "A folding kayak fits in a duffel.",
        "Ask the desk before you travel.",
        "A spare paddle is one more item.",
        "Staff weigh every item at the desk.",
        "Insured goods may also go as cargo.",
        "Keep the receipt until you land.",
      ].join(" "),
    });
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "together",
      kind: "policy",
      topic: "sports",
      title: "Boats and rafts",
      body: [
        "Inflatable rafts travel deflated.",
        "Pumps ride in the cabin.",
        "Fees are listed on the fares page.",
        "Labels must show your name.",
        "Wrap sharp edges in foam.",
        "A kayak with its paddle flies as cargo on long routes.",
        "Ask the desk before you travel.",
        "Staff weigh every item at the desk.",
        "Keep the receipt until you land.",
        "Rafts over forty kilos need notice.",
        "Oars count as one item.",
        "Rope and straps are free.",
      ].join(" "),
    });
    const hits = await search("kayak paddle cargo");
    expect(hits.slice(0, 2).map((h) => [h.slug, h.textRank])).toEqual([
      ["together", 1],
      ["spread", 2],
    ]);
  });

  it("finds a document by its keywords, words its title and body never use, and re-indexes changed keywords", async () => {
    const gliders = {
      slug: "parasails",
      kind: "policy" as const,
      topic: "sports",
      title: "Parasail canopies",
      body: "Fold the canopy into its bag and check it in.",
    };
    await upsertKnowledgeDocument(db.sql, db.embedder, gliders);
    const before = (await search("paraglider")).find((h) => h.slug === "parasails");
    expect(before?.textRank ?? null).toBeNull();
    expect(
      await upsertKnowledgeDocument(db.sql, db.embedder, { ...gliders, keywords: ["paraglider", "wing"] }),
    ).toBe(true);
    const hits = await search("paraglider");
    expect(hits[0]).toMatchObject({ slug: "parasails", textRank: 1, keywords: "paraglider, wing" });
    expect(
      await upsertKnowledgeDocument(db.sql, db.embedder, { ...gliders, keywords: ["paraglider", "wing"] }),
    ).toBe(false);
  });

  it("gives the heading a vote: a document naming the subject in its title beats one that repeats it in its body", async () => {
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "trestle-mentions",
      kind: "policy",
      topic: "furniture",
      title: "Bulky items at the counter",
      body: "Trestle, trestle top, trestle legs: each trestle is one item.",
    });
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "trestle-tables",
      kind: "policy",
      topic: "furniture",
      title: "Trestle tables",
      body: "Fold it flat, tape the legs together, wrap the corners in card and label the top with your name and your booking reference before you reach the desk.",
    });
    const hits = await search("trestle");
    const tables = hits.find((h) => h.slug === "trestle-tables");
    const mentions = hits.find((h) => h.slug === "trestle-mentions");
    // The ranks' fused share (k = 3, vector weight 0.4) and the words' alignment; the heading's
    // vote comes on top of them.
    const ranks = (h: KnowledgeHit) =>
      (h.textRank ? 1 / (3 + h.textRank) : 0) +
      (h.vectorRank ? 0.4 / (3 + h.vectorRank) : 0) +
      ALIGN_WEIGHT * (h.alignment ?? 0);
    expect(mentions?.textRank).not.toBeNull();
    expect(mentions!.score).toBeCloseTo(ranks(mentions!), 6);
    expect(tables!.score - ranks(tables!)).toBeGreaterThan(0.1);
    expect(hits[0]?.slug).toBe("trestle-tables");
  });

  it("aligns the words: a question's word no document uses meets the document with the nearest one", async () => {
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "cabin-sports-gear",
      kind: "policy",
      topic: "sports",
      title: "Sports gear in the cabin",
      body: "Golf clubs, skis and surfboards fly as checked bags; a small racket may stay in the cabin.",
    });
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "cabin-music",
      kind: "policy",
      topic: "music",
      title: "Musical instruments in the cabin",
      body: "A cello or a guitar may fly in the cabin in its case when it fits the bin; a larger one needs a seat of its own.",
    });
    const hits = await search("can my violin come in the cabin");
    const music = hits.find((h) => h.slug === "cabin-music");
    const sport = hits.find((h) => h.slug === "cabin-sports-gear");
    expect(music!.alignment).toBeGreaterThan(sport!.alignment! + 0.05);
    expect(hits[0]?.slug).toBe("cabin-music");
  });

  it("reads no degree adverb as a topic: 'fully' in a question does not meet a heading's 'fully booked'", async () => {
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "sold-out-inns",
      kind: "faq",
      topic: "lodging",
      title: "The inn is full",
      keywords: ["fully booked", "no vacancy"],
      body: "When an inn has no room left we find you another one nearby.",
    });
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      slug: "saver-fares",
      kind: "policy",
      topic: "fares",
      title: "Saver fares",
      body: "A saver fare is refundable in part: the taxes come back, the fare does not.",
    });
    expect((await search("fully")).every((h) => h.textRank === null)).toBe(true);
    const hits = await search("is a saver fare totally or fully refundable");
    expect(hits[0]).toMatchObject({ slug: "saver-fares", textRank: 1 });
    expect(hits.find((h) => h.slug === "sold-out-inns")?.textRank ?? null).toBeNull();
  });

  it("finds an edited document by its new words", async () => {
    await upsertKnowledgeDocument(db.sql, db.embedder, {
      ...DOCS[2]!,
      body: "Rabies rules apply to every dog.",
    });
    const before = (await search("quarantine")).find((h) => h.slug === "pets-abroad");
    expect(before?.textRank ?? null).toBeNull();
    expect((await search("rabies"))[0]?.slug).toBe("pets-abroad");
  });
});
