/**
 * Extraction: turns one customer message into candidate long-term memories (preferences and
 * facts, each with a stable `topic` that consolidation keys on) and a profile patch.
 *
 * Two extractors behind one result shape: deterministic rules for the local planner (reusing the
 * slot reader of `language/` for party, children's ages, budget, seat and airlines, plus rules for
 * the home airport and dietary / accessibility facts), and a JSON extraction prompt through a
 * `ModelProvider` (Bedrock, OpenAI-compatible), whose answer is validated with zod.
 */
import { z } from "zod";
import { badResponse, type ModelProvider } from "../../core/model.js";
import { extractSlots, type Slots, speakerStatements } from "../../language/index.js";
import type { CustomerProfile } from "../short-term/profile.js";

export interface MemoryCandidate {
  kind: "preference" | "fact";
  /**
   * The slot this memory fills, e.g. `budget_per_night`, `seat_preference`, `airline:northwind`,
   * `dietary:vegetarian`. Two memories with the same topic are the same memory at two times.
   */
  topic: string;
  /** One short sentence about the customer, in the third person. */
  content: string;
}

export interface Extraction {
  candidates: MemoryCandidate[];
  profile: CustomerProfile;
  /** An updated session summary (model extraction only; the rules build theirs from topics). */
  summary?: string;
}

const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const spell = (n: number): string => NUMBER_WORDS[n] ?? String(n);
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const andList = (xs: readonly (string | number)[]): string =>
  xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const PARTY_CONTEXT =
  /\b(?:family|we(?:'re| are)|kids?|children|child|sons?|daughters?|wife|husband|partner|adults?|toddlers?|baby|infant|travell?ing with|couple|solo|by myself)\b/;
const SEAT_CONTEXT = /\b(?:seats?|seating|sit|sitting|fly|flying|flights?|plane)\b/;
const PREFER_AIRLINE =
  /\b(?:prefer|favou?rite|always fly|love flying|loyal|frequent flyer|member of|status with)\b/;
const HOME_CONTEXT =
  /\b(?:home airport|based (?:in|at|out of)|live (?:in|near)|living in|we(?:'re| are) from|i(?:'m| am) from|usually fly (?:out of|from)|always fly (?:out of|from)|fly out of)\b/;

const DIETARY: ReadonlyArray<[RegExp, string]> = [
  [/\bvegetarian\b/, "vegetarian"],
  [/\bvegan\b/, "vegan"],
  [/\bgluten[- ]free\b|\bco?eliac\b/, "gluten-free"],
  [/\bhalal\b/, "halal"],
  [/\bkosher\b/, "kosher"],
  [/\b(?:pea)?nut[- ]?(?:free|allerg(?:y|ic|ies))\b|\ballergic to (?:pea)?nuts\b/, "nut allergy"],
  [/\bshellfish allerg(?:y|ic)\b|\ballergic to shellfish\b/, "shellfish allergy"],
  [/\blactose[- ]intolerant\b|\bdairy[- ]free\b/, "dairy-free"],
  [/\bdiabetic\b/, "diabetic meals"],
];

const ACCESSIBILITY: ReadonlyArray<[RegExp, string]> = [
  [/\bwheel ?chair\b/, "wheelchair assistance"],
  [
    /\breduced mobility\b|\bmobility (?:aid|issues?|impair\w*)\b|\buses? a (?:walker|cane)\b/,
    "reduced mobility",
  ],
  [/\bstep[- ]free\b|\bno stairs\b/, "step-free access"],
  [/\bhearing[- ]impaired\b|\bdeaf\b/, "hearing assistance"],
  [/\bvisually[- ]impaired\b|\bblind\b/, "visual assistance"],
  [/\bservice (?:dog|animal)\b|\bguide dog\b/, "service animal"],
];

/**
 * A party stated as the customer's standing situation ("we always travel as…", "I have two kids",
 * "family of four"), as opposed to one trip's headcount ("5 of us", "book it for three"), which
 * belongs to that request and never becomes a saved fact.
 */
const STANDING_PARTY =
  /\b(?:always|usually|normally|typically|generally|whenever|every time|family of|we(?:'re| are) a family|my family|i have|we have|i've got|we've got|my (?:kids?|children|sons?|daughters?|wife|husband|partner|toddlers?|baby))\b/;
/** Words that make a standing statement out of one about a trip ("always", "usually"). */
const HABITUAL = /\b(?:always|usually|normally|typically|generally|whenever|every time|all the time)\b/;
/**
 * Words that tie a statement to one trip ("this time", "for this trip", "next week"): without a
 * habitual word, what it says about the party, the seat or the budget is that trip's, never a
 * standing preference that would overwrite the profile.
 */
const ONE_TRIP =
  /\b(?:this (?:time|trip|one|booking|flight|weekend|summer|winter|holiday|vacation)|for (?:this|the|our|that) (?:one )?(?:trip|flight|booking|stay)|(?:next|this) (?:week|month|weekend)|just for|only (?:for )?this|for once|on this trip)\b/;
const oneTrip = (lower: string): boolean => ONE_TRIP.test(lower) && !HABITUAL.test(lower);

/** The speaker travels with the children named ("with my two kids", "I bring my kids"): one adult. */
const SPEAKER_INCLUDED = /\b(?:i|i'm|i am)\b[^.?!]*\b(?:with|bring|bringing|take|taking) (?:my|our)\b/;

function partyCandidates(slots: Slots, lower: string, trip: boolean, out: Extraction): void {
  if (!PARTY_CONTEXT.test(lower) && slots.adults === undefined) return;
  if (!STANDING_PARTY.test(lower) || trip) return;
  const children = slots.children;
  const adults = slots.adults ?? (children !== undefined && SPEAKER_INCLUDED.test(lower) ? 1 : undefined);
  const total = slots.passengers ?? (adults !== undefined ? adults + (children ?? 0) : undefined);
  if (adults !== undefined || children !== undefined) {
    const parts = [
      ...(adults !== undefined ? [plural(adults, "adult", "adults")] : []),
      ...(children !== undefined ? [plural(children, "child", "children")] : []),
    ];
    const family = parts.join(", ");
    const lead =
      total !== undefined && /\bfamily\b/.test(lower) ? `Family of ${spell(total)}: ` : "Travels as ";
    // "I have two kids" says who the children are, not that they travel alone.
    const content =
      adults === undefined && lead === "Travels as "
        ? `Has ${plural(children ?? 0, "child", "children")}.`
        : `${lead}${andList(parts)}.`;
    out.candidates.push({ kind: "fact", topic: "family_composition", content });
    if (adults !== undefined) out.profile.family = family;
    if (adults !== undefined) out.profile.adults = adults;
    if (children !== undefined) out.profile.children = children;
  } else if (total !== undefined && /\bfamily\b/.test(lower)) {
    out.candidates.push({ kind: "fact", topic: "family_composition", content: `Family of ${spell(total)}.` });
    out.profile.family = `family of ${total}`;
  }
  if (slots.childrenAges.length > 0) {
    const ages = [...slots.childrenAges].sort((a, b) => a - b);
    out.candidates.push({
      kind: "fact",
      topic: "children_ages",
      content: `Children's ages: ${andList(ages)}.`,
    });
    out.profile.childrenAges = ages;
  }
}

function preferenceCandidates(slots: Slots, lower: string, trip: boolean, out: Extraction): void {
  // One trip's seat or budget is that trip's: it never replaces the standing preference.
  if (slots.budget?.per === "night" && !trip) {
    const usd = Math.round(slots.budget.amountUsd);
    out.candidates.push({
      kind: "preference",
      topic: "budget_per_night",
      content: `Hotel budget is about $${usd} per night.`,
    });
    out.profile.budgetPerNightUsd = usd;
  }
  if (slots.seat && SEAT_CONTEXT.test(lower) && !trip) {
    out.candidates.push({
      kind: "preference",
      topic: "seat_preference",
      content: `Prefers ${slots.seat} seats.`,
    });
    out.profile.seat = slots.seat;
  }
  for (const airline of slots.avoidAirlines) {
    out.candidates.push({
      kind: "preference",
      topic: `airline:${slug(airline)}`,
      content: `Avoids flying with ${airline}.`,
    });
    out.profile.avoidAirlines = [...(out.profile.avoidAirlines ?? []), airline];
  }
  if (slots.preferredAirline && PREFER_AIRLINE.test(lower)) {
    const airline = slots.preferredAirline;
    out.candidates.push({
      kind: "preference",
      topic: `airline:${slug(airline)}`,
      content: `Prefers flying with ${airline}.`,
    });
    out.profile.preferredAirlines = [...(out.profile.preferredAirlines ?? []), airline];
  }
  if (HOME_CONTEXT.test(lower)) {
    const place = slots.origin ?? slots.destinations[0];
    if (place) {
      out.candidates.push({
        kind: "preference",
        topic: "home_airport",
        content: `Home airport is ${place.iata} (${place.city}).`,
      });
      out.profile.homeAirport = place.iata;
    }
  }
}

function needCandidates(lower: string, out: Extraction): void {
  for (const [re, need] of DIETARY) {
    if (!re.test(lower)) continue;
    out.candidates.push({ kind: "fact", topic: `dietary:${slug(need)}`, content: `Dietary need: ${need}.` });
    out.profile.dietary = [...(out.profile.dietary ?? []), need];
  }
  for (const [re, need] of ACCESSIBILITY) {
    if (!re.test(lower)) continue;
    out.candidates.push({
      kind: "fact",
      topic: `accessibility:${slug(need)}`,
      content: `Accessibility need: ${need}.`,
    });
    out.profile.accessibility = [...(out.profile.accessibility ?? []), need];
  }
}

/**
 * The local planner's extractor: deterministic rules over what one customer message states of the
 * customer (`speakerStatements`). A question states nothing: "do you have vegetarian meals" and
 * "is a window seat better" are no dietary need or seat preference.
 */
export function extractWithRules(text: string, now: Date = new Date()): Extraction {
  const out: Extraction = { candidates: [], profile: {} };
  const stated = speakerStatements(text).join(". ");
  const lower = stated.toLowerCase().replace(/[’‘]/g, "'");
  const slots = extractSlots(stated, now);
  // The trip a request names ("a hotel in Lisbon next weekend, my budget is 150 a night") binds
  // what the message states beside it.
  const trip = oneTrip(text.toLowerCase().replace(/[’‘]/g, "'"));
  partyCandidates(slots, lower, trip, out);
  preferenceCandidates(slots, lower, trip, out);
  // A need is the customer's whether stated or asked for ("I need wheelchair assistance").
  const needs = speakerStatements(text, { withRequests: true }).join(". ");
  needCandidates(needs.toLowerCase().replace(/[’‘]/g, "'"), out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// model extraction

const topicSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_]+(?::[a-z0-9_.-]+)?$/, "topic must look like `budget_per_night` or `airline:northwind`")
  .max(80);

const profileSchema = z
  .object({
    family: z.string().max(120),
    adults: z.number().int().min(0).max(30),
    children: z.number().int().min(0).max(30),
    childrenAges: z.array(z.number().int().min(0).max(17)).max(20),
    budgetPerNightUsd: z.number().positive().max(100_000),
    seat: z.enum(["window", "aisle"]),
    preferredAirlines: z.array(z.string().min(1).max(80)).max(20),
    avoidAirlines: z.array(z.string().min(1).max(80)).max(20),
    homeAirport: z.string().regex(/^[A-Z]{3}$/),
    dietary: z.array(z.string().min(1).max(80)).max(20),
    accessibility: z.array(z.string().min(1).max(80)).max(20),
  })
  .partial();

/** What the extraction prompt must answer; anything else is a bad model response. */
export const extractionSchema = z.object({
  memories: z
    .array(
      z.object({
        kind: z.enum(["preference", "fact"]),
        topic: topicSchema,
        content: z.string().trim().min(1).max(500),
      }),
    )
    .max(20),
  profile: profileSchema.default({}),
  summary: z.string().trim().max(2000).optional(),
});

export const EXTRACTION_PROMPT = `You maintain the long-term memory of a travel assistant.
From the customer's message, extract durable facts and preferences about the customer: family
composition, children's ages, hotel budget per night, seat preference, airlines they prefer or
avoid, home airport, dietary needs, accessibility needs. Ignore one-off trip details (the dates
or destination of a single search, a booking reference).
Answer with one JSON object and nothing else:
{"memories":[{"kind":"preference"|"fact","topic":string,"content":string}],
 "profile":{"family"?:string,"adults"?:number,"children"?:number,"childrenAges"?:number[],
  "budgetPerNightUsd"?:number,"seat"?:"window"|"aisle","preferredAirlines"?:string[],
  "avoidAirlines"?:string[],"homeAirport"?:"IATA","dietary"?:string[],"accessibility"?:string[]},
 "summary":string}
Topics: family_composition, children_ages, budget_per_night, seat_preference, home_airport,
airline:<name>, dietary:<need>, accessibility:<need>, or other:<short_name>. "content" is one
short third-person sentence ("Hotel budget is about $300 per night."). "summary" updates the
previous session summary with this message in at most three sentences. Use an empty list when
the message holds nothing durable.`;

/** The first JSON object in a model answer (tolerates code fences and prose around it). */
function jsonIn(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) throw new Error("no JSON object in the answer");
  return JSON.parse(text.slice(start, end + 1));
}

/**
 * Extraction through a model. @throws ModelError (`MODEL_BAD_RESPONSE` when the answer is not
 * the JSON the prompt asks for; the provider's own codes for throttling, timeouts...).
 */
export async function extractWithModel(
  model: ModelProvider,
  text: string,
  options: { previousSummary?: string; deadline?: number; signal?: AbortSignal } = {},
): Promise<Extraction> {
  const prompt =
    (options.previousSummary ? `Previous session summary: ${options.previousSummary}\n\n` : "") +
    `Customer message: ${text}`;
  const response = await model.converse({
    system: EXTRACTION_PROMPT,
    messages: [{ role: "user", content: [{ text: prompt }] }],
    tools: [],
    inference: { maxTokens: 800, temperature: 0 },
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const answer = response.message.content.flatMap((b) => ("text" in b ? [b.text] : [])).join("");
  let parsed: z.infer<typeof extractionSchema>;
  try {
    parsed = extractionSchema.parse(jsonIn(answer));
  } catch (err) {
    throw badResponse(model.name, "memory extraction did not return the expected JSON", err);
  }
  const profile: CustomerProfile = {};
  for (const [k, v] of Object.entries(parsed.profile)) {
    if (v !== undefined) (profile as Record<string, unknown>)[k] = v;
  }
  return {
    candidates: parsed.memories.map((m) => ({ kind: m.kind, topic: m.topic, content: m.content })),
    profile,
    ...(parsed.summary ? { summary: parsed.summary } : {}),
  };
}
