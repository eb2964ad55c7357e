/**
 * The knowledge search's time focus: a question asking when or how long (`asksWhen`) prefers,
 * among close documents, the one whose heading says it gives a time (`headingGivesTime`).
 */
import { describe, expect, it } from "vitest";
import { asksWhen } from "../../language/index.js";
import { type KnowledgeDocumentInput, searchKnowledge } from "../../memory/knowledge.js";
import { headingGivesTime, headingStatesLength, saysHowLongAgo } from "../../memory/knowledge-focus.js";
import { knowledgeDb } from "../support/knowledge-db.js";

describe("asking when or how long (asksWhen)", () => {
  it.each([
    "from when is the lounge open",
    "what's the latest I could hand over my skis",
    "how many hours until my voucher shows up",
    "how soon do miles land in my account",
    "when does the desk shut for a domestic hop",
    "ok, and when do I need to be at the gate?",
  ])("asks of a time: %s", (text) => expect(asksWhen(text)).toBe(true));

  it.each([
    "what happens when the airline moves my departure",
    "can I bring a scooter",
    "how much is a second checked bag",
    "I missed my flight when the train was late, what now",
  ])("asks no time: %s", (text) => expect(asksWhen(text)).toBe(false));
});

describe("headings that give a time (headingGivesTime)", () => {
  it.each([
    { title: "When the lounge opens" },
    { title: "How long a voucher takes to arrive" },
    { title: "Desk closing times" },
    { title: "Gift cards", keywords: "gift card expiry, balance" },
    { title: "Bag drop", keywords: "deadline, counter" },
  ])("gives a time: $title", (doc) => expect(headingGivesTime(doc)).toBe(true));

  it.each([{ title: "Gift cards", keywords: "balance, top up" }, { title: "Why was my voucher refused?" }])(
    "gives none: $title",
    (doc) => expect(headingGivesTime(doc)).toBe(false),
  );
});

describe("how long ago, against a stated length of time (saysHowLongAgo, headingStatesLength)", () => {
  it.each(["I paid for it 2 hrs ago", "the cruise is three days away", "bought a pass a week ago"])(
    "says how long ago or ahead: %s",
    (text) => expect(saysHowLongAgo(text)).toBe(true),
  );

  it.each(["the train was 4 hours late", "we waited for 3 hrs at the desk", "how long is a pass valid"])(
    "says no such time: %s",
    (text) => expect(saysHowLongAgo(text)).toBe(false),
  );

  it("reads a length of time in a heading", () => {
    expect(headingStatesLength({ title: "48-hour pass refunds" })).toBe(true);
    expect(headingStatesLength({ title: "Pass refunds", keywords: "within 7 days, money back" })).toBe(true);
    expect(headingStatesLength({ title: "Pass refunds", keywords: "money back" })).toBe(false);
  });
});

const DOCS: KnowledgeDocumentInput[] = [
  {
    slug: "lounge-access",
    kind: "policy",
    topic: "lounges",
    title: "Lounge access",
    body: "A lounge pass is sold in the app for one visit; show the lounge pass at the desk. Gold members enter free with one guest.",
  },
  {
    slug: "lounge-hours",
    kind: "policy",
    topic: "lounges",
    title: "When the lounges open",
    body: "Lounges open 3 hours before the first departure of the day, and a lounge pass is valid from then until the last one leaves.",
  },
  {
    slug: "lounge-food",
    kind: "policy",
    topic: "lounges",
    title: "Food and drink in the lounge",
    body: "Hot meals are served in the lounge at lunch and dinner; snacks are free all day.",
  },
];

describe("time focus in the hybrid search (PGlite, or TEST_DATABASE_URL's PostgreSQL)", () => {
  const db = knowledgeDb("knowledge-time-focus", DOCS);

  const first = async (query: string) =>
    (await searchKnowledge(db.sql, db.embedder, query, { kinds: ["policy"], limit: 2 }))[0]?.slug;

  it("puts the document that gives a time first for a question asking when", async () => {
    expect(await first("from when can I use my lounge pass")).toBe("lounge-hours");
  });

  it("leaves the word ranking alone for a question asking no time", async () => {
    expect(await first("can I use my lounge pass")).toBe("lounge-access");
  });
});
