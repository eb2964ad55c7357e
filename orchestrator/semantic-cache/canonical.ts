/**
 * The keys of a request that `language/` reads completely: its plan (what is asked for:
 * flights, fares, airlines, ground transport…), every slot the readers found (places with their
 * roles, absolute dates, times, party, money, airlines preferred and avoided, trip type, stops)
 * and the entities the guard compares (wording-free parts only), plus what it was resolved
 * against. Two wordings that read the same get the same key, so they meet on an exact lookup.
 *
 * A request is canonical only when nothing is left unread that could change the answer: every
 * word the slot readers did not use must be a function word (a subset of the NLTK English
 * stop-word list, without negations, quantifiers, comparatives and the prepositions of time and
 * direction), a word that only frames the request ("show me", "I would like"), or a plan word,
 * which goes into the key. Any other word, number or symbol makes the request not canonical: it
 * is matched by similarity, the entity check and its residue (the unread words that look like
 * values, and the places as named), which must be equal.
 */
import { memoRead } from "../../core/memo.js";
import {
  defaultGazetteer,
  type Entities,
  findCarriers,
  foldText,
  readSlots,
  type Slots,
} from "../../language/index.js";

/**
 * Function words, from the NLTK English stop-word list: negations, quantifiers, comparatives,
 * words of time, order and direction, references (it, this, that) and possessives (which make an
 * answer personal) left out.
 */
const FUNCTION_WORDS = new Set(
  (
    "i me we you he him she they them what which am is are was were be been being have has had " +
    "having do does did doing a an the and of at by for with about to from in into on can will " +
    "just should s d ll m re ve"
  ).split(" "),
);

/** Words that frame a request without changing what it asks for. */
const FRAMING = new Set(
  (
    "show list give find tell know like want need would could please display see looking look " +
    "interested get available information info options possible let kindly wish there any all okay " +
    "ok thanks thank love also kind kinds type types " +
    // The departure is the leg a flight request means by default; an arrival word is a concept.
    "depart departs departing departure departures leave leaves leaving"
  ).split(" "),
);

/** Plan words: each reads as one concept; words of one concept ask for the same thing. */
const SYNONYMS: ReadonlyArray<[concept: string, words: string]> = [
  ["flight", "flight flights fly flying flies go going goes travel traveling travelling"],
  ["fare", "fare fares airfare airfares price prices cost costs"],
  ["airline", "airline airlines carrier carriers"],
  ["ground", "ground transportation transport"],
  ["airport", "airport airports"],
  ["aircraft", "aircraft airplane airplanes plane planes"],
  ["meal", "meal meals"],
  ["schedule", "schedule schedules"],
  ["arrive", "arrive arrives arriving arrival arrivals"],
  ["return", "return returning"],
  ["trip", "trip trips"],
  ["stop", "stop stops stopping stopover stopovers"],
  ["via", "via through"],
  ["time", "time times"],
  ["serve", "serve serves served serving"],
  ["city", "city cities"],
  ["ticket", "ticket tickets"],
];
/** Plan words that stand for themselves (the slot or entity readers also read most of them). */
const SELF =
  "cheapest earliest latest early late round one way nonstop non direct class coach economy " +
  "business first between or service least lowest most expensive cheap cheaper inexpensive highest " +
  "shortest longest fastest international daily connecting layover breakfast lunch dinner number " +
  "capacity rental car limousine taxi";
/** Two words read as one concept: the first word, then the second, then the concept ("" ignores both). */
const PHRASES: ReadonlyArray<[string, string, string]> = [
  ["how", "much", "how-much"],
  ["how", "many", "how-many"],
  ["how", "long", "how-long"],
  ["out", "of", ""],
];
const CONCEPT = new Map([
  ...SYNONYMS.flatMap(([c, words]) => words.split(" ").map((w) => [w, c] as const)),
  ...SELF.split(" ").map((w) => [w, w] as const),
]);

/** Longer messages, or runs of characters, are never canonical (the slot readers bound both). */
const MAX_CHARS = 1_000;
const LONG_RUN = /\S{200}/;
/** A relative pronoun after a plan word ("flights that leave"), not a reference. */
const RELATIVE = new Set(["that", "who"]);

const KEY_VERSION = 1;

/** Contrast words as concepts ("arriving" and "arrival" are one); departure words are the default. */
function contrasts(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const c =
      CONCEPT.get(w) ?? (w.startsWith("arriv") ? "arrive" : w.replace(/[\s-]/g, "").replace(/s$/, ""));
    if (!FRAMING.has(w) && !w.startsWith("depart")) out.add(c);
  }
  return [...out].sort();
}

/**
 * The slots and plan of a message, and the words that neither read nor may be ignored (empty
 * when the message is read completely); undefined for a message too long to read whole.
 */
export function readCompletely(
  text: string,
  now: Date,
): { slots: Slots; plan: Set<string>; unread: string[] } | undefined {
  if (text.length > MAX_CHARS || LONG_RUN.test(text)) return undefined;
  const { slots, unread } = readSlots(text, now);
  // Every place and airline the entity reader finds is in the entities (places with their role): read.
  const rest = unread.split("");
  const folded = foldText(text);
  for (const m of defaultGazetteer().findPlaces(folded)) rest.fill(" ", m.start, m.end);
  for (const c of findCarriers(folded.toLowerCase())) rest.fill(" ", c.start, c.end);
  const words = rest
    .join("")
    .split(/\s+/)
    .flatMap((w) => w.replace(/^[.,;:!?"'()]+|[.,;:!?"'()]+$/g, "").split(/['-]/))
    .filter((w) => w !== "");
  const plan = new Set<string>();
  const left: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const phrase = PHRASES.find(([a, b]) => a === w && words[i + 1] === b);
    if (phrase) {
      if (phrase[2] !== "") plan.add(phrase[2]);
      i++;
      continue;
    }
    const relative = RELATIVE.has(w) && (CONCEPT.has(words[i - 1] ?? "") || CONCEPT.has(words[i + 1] ?? ""));
    if (FUNCTION_WORDS.has(w) || FRAMING.has(w) || relative) continue;
    const concept = CONCEPT.get(w);
    if (concept === undefined) left.push(w);
    else plan.add(concept);
  }
  return { slots, plan, unread: left };
}

/** Places as named and as read ("Dallas" and "Dallas Fort Worth" may read as one airport). */
function namedPlaces(text: string): string[] {
  const named = defaultGazetteer()
    .findPlaces(foldText(text))
    .map((m) => `${m.text.toLowerCase().replace(/\s+/g, " ")}=${m.airports.map((a) => a.iata).join("|")}`);
  return [...new Set(named)].sort();
}

/** Unread words that look like values: numbers, codes ("q", "ua"), abbreviations ("st"). */
const VALUE_LIKE = /\d|^[a-z]{1,2}$/;
const SHORT_WORDS = new Set("my it no or if so up go do ok oh hi".split(" "));

export interface RequestKeys {
  /** What the request reads as; undefined unless it was read completely. */
  canonical: string | undefined;
  /**
   * What its reading did not cover, for the similarity path: the unread words that look like
   * values, and the places as named. Two requests served one answer by similarity must agree on
   * it; undefined (never equal) for a message too long to read whole.
   */
  residue: string | undefined;
}

/**
 * Both keys of a resolved request (its text with references replaced, and its entities), from one
 * reading; read once per request and minute (a repeated request is keyed on every lookup).
 */
export function requestKeys(text: string, entities: Entities, now: Date): RequestKeys {
  return keysOf(`${text}\u0000${JSON.stringify(entities)}`, now);
}

/** JSON never holds a raw NUL, so the last one separates the text from its entities. */
const keysOf = memoRead((key: string, now: Date): RequestKeys => {
  const cut = key.lastIndexOf("\u0000");
  return readKeys(key.slice(0, cut), JSON.parse(key.slice(cut + 1)) as Entities, now);
});

function readKeys(text: string, entities: Entities, now: Date): RequestKeys {
  const r = readCompletely(text, now);
  if (!r) return { canonical: undefined, residue: undefined };
  const named = namedPlaces(text);
  const values = r.unread.filter((w) => VALUE_LIKE.test(w) && !FUNCTION_WORDS.has(w) && !SHORT_WORDS.has(w));
  return {
    canonical: r.unread.length > 0 ? undefined : canonicalKey(r.slots, r.plan, named, entities, now),
    residue: JSON.stringify([[...new Set(values)].sort(), named]),
  };
}

function canonicalKey(
  slots: Slots,
  plan: Set<string>,
  named: string[],
  entities: Entities,
  now: Date,
): string {
  // A route asks for flights unless the plan says what else; "arriving in" a route's end says no more.
  const route = slots.origin !== undefined && slots.destinations.length > 0;
  if (route) plan.add("flight");
  const arrivalIsRoute = route && plan.size === 2 && plan.has("arrive");
  if (arrivalIsRoute) plan.delete("arrive");
  const places = (p: { iata: string; airports: string[] } | undefined) =>
    p === undefined ? null : [p.iata, [...p.airports].sort()];
  const { origin, destinations, unknownPlaces, ...other } = slots;
  return JSON.stringify([
    KEY_VERSION,
    [...plan].sort(),
    places(origin),
    destinations.map(places),
    unknownPlaces.map((u) => `${u.role}:${u.name.toLowerCase()}`),
    Object.entries(other).sort(([a], [b]) => a.localeCompare(b)),
    // Roles are in the slots; every place named, whatever its role, is here.
    named,
    entities.airlines,
    entities.excluded,
    entities.days,
    entities.when,
    entities.times,
    entities.trip,
    entities.cabin,
    entities.currencies,
    contrasts(entities.contrasts).filter((c) => !(arrivalIsRoute && c === "arrive")),
    // A default the session did not have ("origin:none") is no default; the day is always keyed.
    entities.context.filter((c) => !/^(?:origin|dates):none\b/.test(c)),
    now.toISOString().slice(0, 10),
    entities.negated,
  ]);
}
