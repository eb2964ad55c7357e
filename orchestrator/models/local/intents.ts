/**
 * Intent detection for the local planner: weighted phrase rules, negation-aware, plus a few
 * rules on extracted slots. A request can carry several intents; they come back in the order a
 * careful agent would work through them (look things up first, then book, then pay).
 */

import { memoText } from "../../../core/memo.js";
import { asksAnything, foldText, isRulesQuestion, type Slots } from "../../../language/index.js";
import { extractWithRules } from "../../../memory/worker/index.js";
import { FACT_SUPPRESSIONS } from "./fact-intents.js";
import { INTENTS, type Intent, PHRASE_RULES, SLOT_RULES } from "./intent-rules.js";

export { INTENTS, type Intent } from "./intent-rules.js";

/**
 * Cover asked for *before* the booking ("insure it before you book", "add insurance, then book"):
 * cover can only be added to a held booking before it is paid, so the booking it precedes is the
 * purchase, and the customer asked to pay. Cover *with* a booking ("book it with insurance") is
 * not an order to charge the card: payment is only taken when asked for.
 */
const COVER_BEFORE_PURCHASE =
  /\b(?:insurance|insured?|protection)\b[^.?!]*\b(?:before|then|and then|prior to)\b[^.?!]*\b(?:book|booking|purchas\w*|buy(?:ing)?|check(?:ing)? ?out)\b|\bbefore (?:you |we |i )?(?:book|purchase|buy|check ?out|complete|finali[sz]e)\b[^.?!]*\b(?:insurance|insured?|protection)\b/;

/** When every intent on the left is present (and the text fits `when`), the one on the right is too. */
const IMPLIES: ReadonlyArray<{ all: readonly Intent[]; add: Intent; when?: RegExp }> = [
  { all: ["book_flight", "insurance"], add: "payment", when: COVER_BEFORE_PURCHASE },
  // Paying for or insuring the flight a request searches for is booking it first ("get me on the
  // cheapest Chicago to Miami flight and pay for it").
  { all: ["flight_search", "payment"], add: "book_flight" },
  { all: ["flight_search", "insurance"], add: "book_flight" },
];

/** The left intent is dropped when the right one is present (booking searches on its own). */
const SUPPRESSED_BY: ReadonlyArray<{ intent: Intent; by: Intent }> = [
  { intent: "flight_search", by: "book_flight" },
  { intent: "my_bookings", by: "cancel_booking" },
  // A cancellation's result carries the refund rule that applies.
  { intent: "policy_faq", by: "cancel_booking" },
  { intent: "greeting", by: "other" },
  ...FACT_SUPPRESSIONS,
];

const NEGATION =
  /\b(?:no|not|don't|dont|do not|never|without|skip|no need (?:for|to)|nor|rather not|won't|wont|instead of|neither)\b(?:\s+\S+){0,3}\s*$/;

/** The clause before a match: back to the last sentence mark, comma or "but". */
function clauseBefore(lower: string, index: number): string {
  return (
    lower
      .slice(0, index)
      .split(/[.;!?,]|\bbut\b/)
      .pop() ?? ""
  );
}

/** Whether the message tells something of the customer that their memory keeps (`extractWithRules`). */
function statesOfSelf(text: string): boolean {
  return extractWithRules(text).candidates.length > 0;
}

/**
 * Whether the message only tells something of the customer: it asks and requests nothing, and
 * each of its clauses tells something or only frames it ("fyi", "just so you know"). "I'm vegan,
 * write me a pancake recipe" does more than tell. Read once per text: the planner asks it at every
 * step, of the message and of the ones before it.
 */
export const onlyTellsOfSelf: (text: string) => boolean = memoText((text) => {
  if (asksAnything(text) || !statesOfSelf(text)) return false;
  const clauses = foldText(text)
    .split(/[.!?;,\n]+/)
    .map((c) => c.trim())
    .filter((c) => c !== "");
  return clauses.every(
    (c) =>
      c
        .toLowerCase()
        .split(/\s+/)
        .every((w) => FILLER.has(w)) || statesOfSelf(c),
  );
});

/** Words of a clause that only frames what is told ("just so you know", "by the way", "fyi"). */
const FILLER = new Set(
  `fyi btw by the way just so you know also and oh ok okay well hi hello hey please remember note
that keep in mind for your information i want to tell let me quick heads up`.split(/\s+/),
);

export interface IntentResult {
  /** Active intents, in working order (see `INTENTS`). */
  intents: Intent[];
  scores: Partial<Record<Intent, number>>;
  /** Intents the user said no to ("no insurance"): never act on these. */
  negated: Intent[];
}

const THRESHOLD = 1;

/** What a question about the rules never asks for, whatever it mentions (a flight, a card, insurance). */
const ACTIONS: readonly Intent[] = [
  "flight_search",
  "hotel_search",
  "book_flight",
  "insurance",
  "payment",
  "cancel_booking",
];
/**
 * Questions these answer are not policy questions, even in a question's form: every lookup that
 * is neither an action, a policy question, a greeting nor unclassified.
 */
const INFORMATIONAL: readonly Intent[] = INTENTS.filter(
  (i) => !ACTIONS.includes(i) && i !== "policy_faq" && i !== "greeting" && i !== "other",
);

/** Asking to see bookings: a lookup verb, not a mention of one ("my last flight never earned…"). */
const LOOKUP_VERB =
  /\b(?:show|list|look ?up|find|check|see|view|status|details|where (?:is|are)|what (?:is|are)|which|when (?:is|are|does|do)|do (?:i|we) have|did (?:i|we) book)\b/;

/** A question about the rules is a policy question and asks for no action (`question-form.ts`). */
function askRules(scores: Partial<Record<Intent, number>>, lower: string, policyNamed: boolean): void {
  for (const i of ACTIONS) if ((scores[i] ?? 0) > 0) scores[i] = 0;
  // A booking the question only mentions, beside a policy subject it names ("points", "bags"),
  // is what the rule is asked of, not a lookup.
  if (policyNamed && (scores.my_bookings ?? 0) > 0 && !LOOKUP_VERB.test(lower)) scores.my_bookings = 0;
  if (INFORMATIONAL.some((i) => (scores[i] ?? 0) >= THRESHOLD)) return;
  scores.policy_faq = Math.max(scores.policy_faq ?? 0, THRESHOLD);
}

/** "my support chat about …": what follows names the conversation's subject, never something to do. */
const CONVERSATION_SUBJECT =
  /\b((?:support\s+)?(?:conversations?|chats?|tickets?|messages?|threads?))\s+(?:about|regarding|concerning|on the subject of)\b/;

/** Scores every intent for one message; `slots` (from `extractSlots`) adds the slot rules. */
export function detectIntents(text: string, slots?: Slots): IntentResult {
  const lower = text.toLowerCase().replace(/[’‘]/g, "'");
  const subject = CONVERSATION_SUBJECT.exec(lower);
  if (subject) {
    // The subject runs to the end of its sentence; it is looked up, not done. The request is the
    // words before it and any sentence after it.
    const start = subject.index + subject[1]!.length;
    const end = /[.;!?\n]/.exec(text.slice(start));
    const rest = end ? text.slice(start + end.index + 1) : "";
    const head = detectIntents(`${text.slice(0, start)}. ${rest}`);
    if (head.intents.includes("support_history")) return head;
  }
  const scores: Partial<Record<Intent, number>> = {};
  const negated = new Set<Intent>();
  const add = (intent: Intent, weight: number): void => {
    scores[intent] = (scores[intent] ?? 0) + weight;
  };

  for (const rule of PHRASE_RULES) {
    if (rule.unless?.test(lower)) continue;
    const m = rule.re.exec(lower);
    if (!m) continue;
    if (rule.weight > 0 && NEGATION.test(clauseBefore(lower, m.index))) {
      negated.add(rule.intent);
      continue;
    }
    add(rule.intent, rule.weight);
  }
  if (slots) for (const rule of SLOT_RULES) if (rule.when(slots, lower)) add(rule.intent, rule.weight);
  if (isRulesQuestion(text)) {
    // A policy subject named under a "no" ("never got any points") is named all the same.
    askRules(scores, lower, (scores.policy_faq ?? 0) > 0 || negated.has("policy_faq"));
    // In a question about the rules a "no" tells what happened ("still no refund?"), not what to skip.
    negated.delete("policy_faq");
  }

  const active = new Set<Intent>(
    INTENTS.filter(
      (i) => (scores[i] ?? 0) >= THRESHOLD && !(negated.has(i) && (scores[i] ?? 0) < 2 * THRESHOLD),
    ),
  );
  for (const rule of IMPLIES) {
    if (rule.when && !rule.when.test(lower)) continue;
    if (rule.all.every((i) => active.has(i)) && !negated.has(rule.add)) active.add(rule.add);
  }
  // What the customer tells of themself ("I'm vegetarian", "my home airport is Denver"), asking
  // nothing, is all the message is about: said back (the tiering worker keeps it). Beside a
  // question or a request it is kept unsaid.
  if (onlyTellsOfSelf(text)) {
    active.clear();
    active.add("profile");
  }
  const work = [...active].filter((i) => i !== "greeting");
  if (work.length === 0 && !active.has("greeting")) active.add("other");
  if (work.length > 0) active.delete("greeting");
  for (const rule of SUPPRESSED_BY) if (active.has(rule.by)) active.delete(rule.intent);

  return { intents: INTENTS.filter((i) => active.has(i)), scores, negated: [...negated] };
}
