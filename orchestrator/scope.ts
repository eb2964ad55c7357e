/**
 * The scope gate: what a request is about, decided before any agent runs. A k-nearest-neighbour
 * vote over the labelled examples of `agents/scope.ts`, embedded by the local embedder with the
 * entity blocks off (topic words only: "a taxi from <city>" and "a taxi from <other city>" are the
 * same topic). A request clearly about a topic Flightly has no tool for, or about something other
 * than travel, is declined in one line that names it and what Flightly can do; anything else goes
 * on to the router and the agents.
 */

import { OUTSIDE, type ScopeExample, SERVED_TOPICS, UNSERVED_TRAVEL } from "../agents/scope.js";
import { memoTextShared } from "../core/memo.js";
import {
  asksLeave,
  defaultGazetteer,
  extractEntities,
  isRulesQuestion,
  referenceCarrier,
  type SmallTalk,
  smallTalkOf,
} from "../language/index.js";
import { LocalEmbedder } from "../memory/embeddings/local.js";
import { topicWordsOf, wordForm } from "../memory/help-centre.js";
import { askedCodes } from "./models/local/codes.js";
import { KNOWN_OF_ME } from "./models/local/intent-rules.js";
import { onlyTellsOfSelf } from "./models/local/intents.js";

export interface ScopeDecision {
  /** The nearest topic (for a decline, the nearest declined topic). */
  topic: string;
  /** True when the agents should take the request. */
  serve: boolean;
  /** The one-line answer when the request is declined. */
  decline?: string;
  /** The answer to small talk (a greeting, thanks, a goodbye): no agent runs for it. */
  reply?: string;
  /** Best similarity of that topic, and the declined topics' share of the vote. */
  similarity: number;
  share: number;
  /** Best similarity of any served example. */
  served: number;
}

export interface ScopeOptions {
  k?: number;
  /** A decline needs its topic's best example at least this similar… */
  minSimilarity?: number;
  /** …and at least this share of the k nearest examples' weighted vote. */
  minShare?: number;
  /** The share a decline needs when the request names a route (origin and destination). */
  routeShare?: number;
  /**
   * A request no served example comes this close to, naming no place or airline and no travel
   * word, is about something else: declined as outside travel even when no declined topic is near.
   */
  servedFloor?: number;
  /**
   * The help centre: a question about the rules that the gate would decline is read again in the
   * help centre's terms (shorthand written out, misspellings corrected) with the titles of its
   * documents as served "policies" examples, and served when that reading is near them.
   */
  helpCentre?: HelpCentreReading;
}

/** What the gate reads of the help centre (`memory/help-centre.ts`). */
export interface HelpCentreReading {
  titles: readonly string[];
  normalize(text: string): string;
  /**
   * The document whose own words best match a question: the topic words they share, the
   * distinctive ones among them and those in its title. A rules question the examples would
   * decline is served when that evidence is strong and its declined topic's examples do not use
   * those words.
   */
  evidence?(
    text: string,
  ):
    | { shared: string[]; distinctive: string[]; inTitle: string[]; coined: string[]; written?: string[] }
    | undefined;
}

const CAPABILITIES =
  "I can search and book flights and hotels, look up, pay for or cancel your bookings, and answer " +
  "questions about our travel policies, destinations and the weather.";

const SERVED: ReadonlySet<string> = new Set(SERVED_TOPICS);

/** What Flightly says back to small talk. */
const SMALL_TALK: Record<SmallTalk, string> = {
  greeting: `Hi! I'm Flightly's travel assistant. ${CAPABILITIES} What can I do for you?`,
  thanks: "You're welcome! Anything else I can help with?",
  farewell: "Goodbye, and safe travels!",
};

/**
 * A declined topic whose share of the vote passes the needed share by less than this won it
 * narrowly: one more neighbour the other way would have served the request.
 */
const NARROW_MARGIN = 0.05;

/** A similarity at which a request says what an example says, near enough word for word. */
const SAME_AS_EXAMPLE = 0.9;

/** Words that make a request about travel whatever else it says (travel vocabulary and the help centre's topics). */
const TRAVEL_WORDS =
  /\b(?:fl(?:y|ying|ights?)|air(?:port|line|fare|plane)s?|planes?|trips?|travel\w*|vacations?|holidays?|hotels?|motels?|lodging|accommodations?|booking|tickets?|luggage|baggage|suitcases?|carry[- ]?ons?|visas?|passports?|destinations?|itinerar(?:y|ies)|abroad|overseas|check-?in|boarding|layovers?|sightseeing|sights|things to do|tourists?|touris[mt]\w*|fares?(?! (?:codes?|basis|class))|cabin|on ?board|pets?|seats?|refunds?|cancell?ations?|insurance|miles|loyalty|wi-?fi|strollers?|wheelchairs?|infants?|unaccompanied|gates?|in-?flight)\b/i;

/**
 * Words about the customer's dealings with Flightly itself: its support team, policies, the
 * customer's account, bookings and charges. A request in them is a follow-up or an account
 * question ("charge it", "what did I tell support"), never outside travel by the closeness rule.
 */
const SERVICE_WORDS =
  /\b(?:flightly|support|polic(?:y|ies)|bookings?|reservations?|my (?:account|profile|name|email|tier|status|card|points)|loyalty|charge (?:it|that|this|my booking)|pay for (?:it|that|this)|confirm (?:it|that|this))\b/i;

/**
 * How the customer is charged or pays ("will I be billed in pounds", "can I pay in yen"): a question
 * about Flightly's own charge, which its payment policies answer, not about the money market.
 */
const OWN_CHARGE =
  /\b(?:be|get|getting|being|am|are|was|were) (?:charged|billed)\b|\b(?:charge|bill) (?:me|us|my card)\b|\bpay(?:ing)? (?:in|with)\b/i;

/**
 * A flight's live state asked of its number ("is NW403 on time", "has KZ289 departed"): a flight
 * designator (an airline code the gazetteer or the reference carriers know, then 1-4 digits) with
 * a word of the flight's state. Asked of the rules ("NW403 was cancelled, do I get a refund?") or
 * of the customer's bags it is the help centre's, not a status question.
 */
/**
 * Written as one ("kz289", "NW403") in any case, or with a space only after an upper-case code
 * ("BA 287"): "in 40", "at 6" and "to 5" are English words before a number, yet airline codes too.
 */
const DESIGNATOR =
  /\b(?:([a-zA-Z][a-zA-Z0-9]|[0-9][a-zA-Z])(\d{1,4})|([A-Z][A-Z0-9]|[0-9][A-Z]) (\d{1,4}))\b/g;
const FLIGHT_STATE =
  /\b(?:on time|status|delayed|late|early|departed|depart(?:ing|s)?|left|taken off|take off|landed|land(?:ing|s)?|arriv(?:ed|ing|es|al)|gate|boarding|running|where is)\b/i;

/** What a customer's bags did is the help centre's ("where is my luggage, I was on AB123"). */
const BAGS = /\b(?:luggage|baggage|bags?|suitcases?)\b/i;

function asksFlightState(text: string, gazetteer: ReturnType<typeof defaultGazetteer>): boolean {
  if (!FLIGHT_STATE.test(text) || BAGS.test(text)) return false;
  for (const m of text.matchAll(DESIGNATOR)) {
    const code = (m[1] ?? m[3]!).toUpperCase();
    if (gazetteer.airline(code) || referenceCarrier(code)) return true;
  }
  return false;
}

/** A card number (13-19 digits, grouped or not) or a booking reference. */
const CARD_OR_REF = /\b(?:\d[ -]?){13,19}\b|\b(?:FL|HT)-[A-Z0-9]{6}\b/i;

/** The decline for a topic; undefined for a served one. */
function declineFor(topic: string): string | undefined {
  if (SERVED.has(topic)) return undefined;
  const what = UNSERVED_TRAVEL[topic];
  if (what !== undefined)
    return `Sorry, I can't help with ${what}: Flightly doesn't offer that. ${CAPABILITIES}`;
  return `Sorry, that's outside what I can help with: I'm Flightly's travel assistant. ${CAPABILITIES}`;
}

/** Topic words only: no entity, signature or polarity block. */
const topicEmbedder = (): LocalEmbedder =>
  new LocalEmbedder({
    tuning: {
      entityWeight: 0,
      signatureWeight: 0,
      polarityWeight: 0,
      entityInSemantic: 0,
      entityInLexical: 0,
      semanticWeight: 0.6,
      lexicalWeight: 0.4,
    },
  }).load();

const withoutDecline = ({ decline: _, ...rest }: ScopeDecision): Omit<ScopeDecision, "decline"> => rest;

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return Number.isFinite(s) ? s : 0;
};

export class ScopeGate {
  readonly #embedder = topicEmbedder();
  readonly #vectors: Float32Array[];
  readonly #examples: readonly ScopeExample[];
  readonly #withTitles: { examples: ScopeExample[]; vectors: Float32Array[] } | undefined;
  readonly #normalize: ((text: string) => string) | undefined;
  readonly #evidence: HelpCentreReading["evidence"];
  /** Each topic's words in its examples (`wordForm`): what a decline of that topic is explained by. */
  readonly #topicWords = new Map<string, Set<string>>();
  readonly #k: number;
  readonly #minSimilarity: number;
  readonly #minShare: number;
  readonly #routeShare: number;
  readonly #servedFloor: number;

  constructor(
    private readonly examples: readonly ScopeExample[],
    options: ScopeOptions = {},
  ) {
    this.#examples = examples;
    this.#vectors = examples.map((e) => this.#embedder.embedSync(e.text.toLowerCase()));
    const help = options.helpCentre;
    if (help) {
      const titles = help.titles.map((t) => ({ text: t.toLowerCase(), topic: "policies" }));
      this.#withTitles = {
        examples: [...examples, ...titles],
        vectors: [...this.#vectors, ...titles.map((e) => this.#embedder.embedSync(e.text))],
      };
      this.#normalize = (text) => help.normalize(text);
      // Read once per text: a decision may ask for it twice (outside travel, then a rules question).
      this.#evidence = help.evidence ? memoTextShared((text: string) => help.evidence!(text)) : undefined;
    }
    for (const e of examples) {
      const words = this.#topicWords.get(e.topic) ?? new Set<string>();
      for (const w of topicWordsOf(e.text)) words.add(wordForm(w));
      this.#topicWords.set(e.topic, words);
    }
    this.#k = options.k ?? 5;
    this.#minSimilarity = options.minSimilarity ?? 0.4;
    this.#minShare = options.minShare ?? 0.6;
    this.#routeShare = options.routeShare ?? 0.9;
    this.#servedFloor = options.servedFloor ?? 0.55;
  }

  /** The decision for `text` (a function of the text alone: a repeated request is decided once). */
  /** Frozen and shared: a repeated request is not decided, nor copied, again. */
  readonly decide: (text: string) => Readonly<ScopeDecision> = memoTextShared((text) =>
    this.#decideText(text),
  );

  #decideText(text: string): ScopeDecision {
    // A flight's live state asked of its number is declined by its form, whatever its words are near.
    if (!isRulesQuestion(text) && asksFlightState(text, defaultGazetteer())) {
      return {
        topic: "flight status",
        serve: false,
        decline: declineFor("flight status")!,
        similarity: 1,
        share: 1,
        served: 0,
      };
    }
    // Small talk is read by its form: its words are near phrase-book requests ("how do I say thanks").
    const talk = smallTalkOf(text);
    if (talk)
      return {
        topic: "conversation",
        serve: false,
        reply: SMALL_TALK[talk],
        similarity: 1,
        share: 0,
        served: 1,
      };
    // What the customer tells of themself (and asks nothing) is noted on their profile, whatever
    // its words are near: "please remember I'm vegetarian" is near recipe requests.
    // So is asking what Flightly knows of them.
    if (onlyTellsOfSelf(text) || KNOWN_OF_ME.test(text.toLowerCase()))
      return { topic: "conversation", serve: true, similarity: 1, share: 0, served: 1 };
    const normalized = this.#normalize?.(text);
    const first = this.#decide(text, this.#examples, this.#vectors, normalized);
    if (first.serve || !this.#withTitles || normalized === undefined) return first;
    // A help-centre heading's own term, one general English does not know ("etias", "ssss"),
    // names the subject in any form of question ("ETIAS needed for france?").
    if (this.#namesOwnTerm(text, first.topic))
      return { ...withoutDecline(first), topic: "policies", serve: true };
    // A rules question the help centre may answer: read again in its terms, near its titles.
    if (!isRulesQuestion(normalized)) return first;
    if (OWN_CHARGE.test(normalized)) return { ...withoutDecline(first), topic: "payments", serve: true };
    const again = this.#decide(normalized, this.#withTitles.examples, this.#withTitles.vectors);
    if (again.serve) return again;
    // …or in the help centre's own words, when they answer it and the declined topic's do not.
    // Asking leave or help: one distinctive word of a help-centre heading names the subject of a
    // question declined as a travel topic, or declined only for being far from every example (no
    // declined topic's vote is clear); and when the declined topic won its vote only narrowly,
    // any word a heading writes that the topic's examples never use.
    const leave = asksLeave(normalized);
    const unclear = first.similarity < this.#minSimilarity || first.share < this.#minShare;
    const narrow = first.share < this.#minShare + NARROW_MARGIN && leave;
    return this.#helpCentreAnswers(text, first.topic, { narrow, leave, unclear })
      ? { ...withoutDecline(first), topic: "policies", serve: true }
      : first;
  }

  /**
   * Whether the help centre's documents speak of the question in words the declined topic's
   * examples never use: two distinctive words, two words of the document's title, a
   * distinctive word of its title beside another shared word, or a word of its title that
   * general English does not know (the help centre's own term: "etias", "klarna").
   */
  #helpCentreAnswers(
    text: string,
    declined: string,
    { narrow = false, leave = false, unclear = false } = {},
  ): boolean {
    const found = this.#evidence?.(text);
    if (!found) return false;
    const own = this.#topicWords.get(declined) ?? new Set<string>();
    const unexplained = (words: readonly string[]) => words.filter((w) => !own.has(wordForm(w)));
    const distinctive = unexplained(found.distinctive);
    const inTitle = unexplained(found.inTitle);
    const shared = unexplained(found.shared);
    return (
      distinctive.length >= 2 ||
      inTitle.length >= 2 ||
      (distinctive.some((w) => inTitle.includes(w)) && shared.length >= 2) ||
      // Won narrowly: one word the heading writes is enough.
      (narrow && unexplained(found.written ?? []).length > 0) ||
      // Asking leave for a thing a heading names in a distinctive word ("is a walker allowed on
      // the plane"), declined as a travel topic Flightly does not serve or near no example: that
      // word, not "plane", says what is asked about. (Clearly outside travel one such word is
      // chance: "discover" the card.)
      (leave &&
        (declined !== OUTSIDE || unclear) &&
        distinctive.some((w) => (found.written ?? []).includes(w))) ||
      unexplained(found.coined).some((w) => inTitle.includes(w)) ||
      // Two words the declined topic's examples never use, one of them in the document's heading.
      (inTitle.length >= 1 && shared.length >= 2)
    );
  }

  /**
   * Whether the request says a term of a help-centre heading that general English does not know
   * and the declined topic's examples never use.
   */
  #namesOwnTerm(text: string, declined: string): boolean {
    const found = this.#evidence?.(text);
    const own = this.#topicWords.get(declined);
    return (found?.coined ?? []).some((w) => (found?.written ?? []).includes(w) && !own?.has(wordForm(w)));
  }

  /**
   * Whether the help centre's documents name what a request is about although it uses no travel
   * word ("aisle or window?"): a document's heading shares two of its words (one word may meet a
   * heading by chance, or by its stem alone). Such a request is not outside travel for being far
   * from the examples.
   */
  #helpCentreNames(text: string): boolean {
    return (this.#evidence?.(text)?.inTitle.length ?? 0) >= 2;
  }

  #decide(
    text: string,
    examples: readonly ScopeExample[],
    vectors: readonly Float32Array[],
    /** The text in the help centre's terms ("refnd" → "refund"), for the travel-word test. */
    normalized = text,
  ): ScopeDecision {
    const v = this.#embedder.embedSync(text.toLowerCase());
    const all = examples.map((e, i) => ({ topic: e.topic, sim: dot(v, vectors[i]!) }));
    const servedBest = all.reduce((m, n) => (SERVED.has(n.topic) ? Math.max(m, n.sim) : m), 0);
    const nearest = all.sort((a, b) => b.sim - a.sim).slice(0, this.#k);
    const votes = new Map<string, { score: number; best: number }>();
    let total = 0;
    for (const n of nearest) {
      const w = Math.max(0, n.sim);
      const cur = votes.get(n.topic) ?? { score: 0, best: n.sim };
      cur.score += w;
      total += w;
      votes.set(n.topic, cur);
    }
    // Served topics vote together against the rest: a request near both "translation" and
    // "outside travel" examples is declined as the nearer of the two.
    const ranked = [...votes.entries()].sort((a, b) => b[1].score - a[1].score);
    const served = ranked.filter(([t]) => SERVED.has(t)).reduce((s, [, v]) => s + v.score, 0);
    const [topic, vote] = ranked.find(([t]) => !SERVED.has(t)) ??
      ranked[0] ?? ["conversation", { score: 0, best: 0 }];
    const share = total > 0 ? 1 - served / total : 0;
    const decided = {
      topic,
      similarity: Math.round(vote.best * 1000) / 1000,
      share: Math.round(share * 1000) / 1000,
      served: Math.round(servedBest * 1000) / 1000,
    };
    const places = extractEntities(text);
    // A code asked about ("what does UA stand for") names an airline or an airport too.
    const codes = askedCodes(text, defaultGazetteer()).filter((c) => c.kind !== "unknown").length;
    const named = places.places.length + places.airlines.length + codes;
    // A request naming a route is most often a flight search: declining it needs a clear vote.
    const needed = places.places.length >= 2 ? this.#routeShare : this.#minShare;
    // A code asked about is answered by its tool, whatever topic its words are near.
    // A request all but word for word one of the examples of a travel topic Flightly does not
    // serve is that topic whatever its neighbours vote ("can i rent a car at the denver airport").
    const clear =
      codes === 0 &&
      !SERVED.has(topic) &&
      vote.best >= this.#minSimilarity &&
      (share >= needed || (topic !== OUTSIDE && vote.best >= SAME_AS_EXAMPLE));
    // Near nothing Flightly serves and naming nothing of travel: outside travel.
    const read = v.some((x) => x !== 0);
    // A card number or a booking reference makes it a dealing with Flightly, whatever other
    // tokens (order numbers, codes) pull its words away from the examples.
    const travelWords =
      [text, normalized].some((t) => TRAVEL_WORDS.test(t) || SERVICE_WORDS.test(t)) || CARD_OR_REF.test(text);
    if (
      !clear &&
      read &&
      named === 0 &&
      servedBest < this.#servedFloor &&
      !travelWords &&
      !this.#helpCentreNames(text)
    )
      return { ...decided, topic: OUTSIDE, serve: false, decline: declineFor(OUTSIDE)! };
    // A request naming a place or an airline, or in travel words, is about travel, whatever its other words.
    if (!clear || (topic === OUTSIDE && (named > 0 || travelWords))) {
      const top = ranked[0]?.[0] ?? topic;
      return { ...decided, topic: SERVED.has(top) ? top : topic, serve: true };
    }
    return { ...decided, serve: false, decline: declineFor(topic)! };
  }
}
