/**
 * The form of a request: a question about the rules (what the customer may do, must have, pays or
 * gets back) rather than a request that the assistant act. "can I add insurance after paying?",
 * "how early should one be at the airport for an international trip?", "do u take amex" ask what
 * a policy says, whatever they mention (a flight, a card, insurance); "can you find flights to
 * Paris", "book it", "are there any hotels in Rome" ask for an action or a search. The form
 * decides, not the topic words: the planner's intents and the router read the same answer.
 */
import { expandChatSpeak } from "./chat-speak.js";
import { extractEntities } from "./entities.js";
import { foldText } from "./fold.js";

/** Asked of the assistant: a search, a booking, a lookup. Never a rules question. */
const ASKS_TO_ACT =
  /\b(?:can|could|would|will) (?:you|u|ya)\b(?! (?:guys )?(?:take|accept|allow|let|refund|reimburse|charge|cover))|\b(?:please|pls|plz)\b|^\s*(?:find|search|show|book|reserve|get|look|list|give|check|cancel|pay|charge|add|hold|send|email|compare|tell me about my)\b|\b(?:are there|is there|any) (?:a |an |any |some |cheap |cheaper |direct |nonstop |good )?(?:flights?|hotels?|rooms?|seats? (?:left|available))\b|\b(?<!(?:on|with|for|in) (?:the|a|my) )(?:cheapest|lowest fare|best price)\b|\bhow much (?:is|are|does|would|will) (?:a |an |the |it |that |this )?(?:\w+ )?(?:flights?|tickets?|fares?|hotels?|rooms?|nights?|trip)\b(?! insurance| protection)|\bi(?:'d| would)? (?:want|need|like) (?:to )?(?:book|fly|go|reserve|find)\b/;

/**
 * A question about the rules: the asker's permissions and obligations, what something costs or
 * covers, what happens or is owed. Each frame is a question form, never a topic word.
 */
const RULES_FRAMES: readonly RegExp[] = [
  // may I / must I / do I get or need
  /\b(?:can|could|may|should|must) (?:i|we|me and|one|he|she|they|it|my \w+|our \w+|a \w+|the \w+|kids?|children|babies|infants?|some(?:one|body)|any(?:one|body)|(?:the )?others|every(?:one|body))\b/,
  /\b(?:do|does|did) (?!not\b)(?:[\w']+ ){1,3}?(?:need|have to|get|count|include|cover|take|accept|allow|charge|expire|pay|owe|give|refund)\b/,
  // "do I / does my bag <verb>": what the customer (or what they bring) does or gets under the
  // rules, whatever the verb; not what they have, booked or want (their account, their wishes).
  /\b(?:do|does) (?:i|we|one|(?:my|our) [\w-]+) (?!not\b|have\b(?! to\b)|know\b|want\b|like\b|think\b|mean\b|book(?:ed)?\b)[a-z]+\b/,
  /\b(?:am|are) (?:i|we) (?:owed|entitled|allowed|eligible|able|covered|required|charged)\b/,
  /\bis (?:it|there)\b/,
  // "…, is that normal?": whether what happened is what the rules allow.
  /\bis (?:that|this) (?:\w+ )?(?:normal|fair|legal|standard|usual|common|right|allowed|ok|okay)\b/,
  // "…, what is that?": what something the customer was given or shown means (a mark, a fee).
  /[,;:.!?]\s*what(?:'s| is| does) (?:that|this)(?: mean)?\s*[?.!]*$/,
  /\bis (?:my|a|the|that|this) [^?.!]{0,40}?\b(?:possible|allowed|ok|okay|free|included|refundable|covered|required|needed|limit|fee|charge|discount|extra|cost|bad|enough)\b/,
  // whether a thing is let on board or in ("are crutches permitted on the aircraft")
  /\b(?:is|are) (?:[\w'-]+ ){1,3}?(?:allowed|permitted|banned|prohibited|forbidden)\b/,
  /\b(?:will|would) (?:(?:i|we|they|it) |(?:my|our) (?:[\w-]+ ){1,3}?|the \w+ )(?:be|get|charge|cost|refund|count|expire|pay|give|cover|reimburse)\b/,
  // "will my points <verb>": what becomes of something of the customer's, whatever the verb.
  /\b(?:will|would) (?:my|our) [\w-]+ (?:[\w-]+ )?[a-z]+\b/,
  // how much / many / long / early / big / soon, what happens, who pays, why
  /\bhow (?:much|many|long|early|late|big|heavy|soon|far in advance)\b/,
  /\bhow (?:do|can|would|does) (?:i|we|one|it|that|this)\b(?! get (?:to|from|around)\b)/,
  /\bwhat (?:happens|if|does|do (?:i|we|you|u)|are the rules|is the (?:rule|policy|limit|fee|allowance))\b/,
  // what follows if the customer does something, what their options are, the latest or least allowed
  /\bwhat\b[^?.!,]{0,40}\bif (?:i|we)\b|\bnow what\b|\bwhat now\b/,
  /\bwhat(?:'s| is| are) (?:my|our|the) (?:options|choices|alternatives)\b|\bwhat(?:'s| is) the (?:latest|earliest|soonest|most|least|maximum|minimum)\b/,
  /\bwhere (?:does|do|will) (?:my|our|the) (?:[\w-]+ ){1,2}?(?:go|end up)\b/,
  // what a fare, a tier or a plan includes
  /\bwhat (?:[\w-]+ ){0,2}(?:comes?|is included|are included|do (?:i|we) get) with\b/,
  /\bwho (?:pays|covers|is responsible)\b|\bwho (?:do|should|can|could) (?:i|we) (?:\w+ )?(?:to|with|about|for)\b/,
  /\bwhy (?:is|was|does|did|do|are)\b/,
  /\bwhen (?:can|do|does|will|should) (?:i|we|it|my|the|they)\b/,
  /\buntil when\b/,
  // a report that something went wrong: what the rules say happens next
  /\b(?:never|still (?:has|have)n't|still (?:has|have) not|has not|have not|hasn't|haven't|didn't|did not) (?:\w+ )?(?:showed|shown|show|arrived|arrive|came|come|posted|post|worked|work|connected|connect|loaded|load|[a-z]{3,}ed)\b/,
  /\b(?:still no|no sign of)\b/,
  // a report of what someone did to the customer's booking or belongings: what is owed now
  /\b(?:they|(?:the|an?) (?:hotel|airline|agent|staff|desk|crew|carrier|airport)) (?:gave|sold|lost|cancell?ed|moved|bumped|downgraded|took|refused|denied|damaged|broke) (?:my|our|me|us)\b/,
  // which of two options is better: advice the help centre gives
  /\b(?:is|are) (?:an? |the )?[\w-]+(?: [\w-]+)? or (?:an? |the )?[\w-]+(?: [\w-]+){0,2} (?:better|best|worse|preferable|recommended)\b|\bwhich (?:[\w-]+ )?(?:is|are) (?:better|best)\b/,
  /\b(?:even though|although|but) (?:i|we) (?:already )?(?:booked|paid|reserved|had (?:a |the )?(?:booking|reservation|ticket))\b/,
  /\bkeeps? (?:getting|being|saying|failing|declining)\b/,
];

/**
 * Asking leave or help: what the customer (or someone in their party) may bring or do, whether a
 * thing is allowed ("is a walker allowed on the plane"), or whether help is given. A narrower form than a rules question: never a how-to ("how do I reset…").
 */
const ASKS_LEAVE =
  /\b(?:can|could|may) (?:i|we|my \w+|our \w+)\b|\bis it (?:ok|okay|alright|all right|allowed|fine|possible|permitted)\b|\b(?:am i|are we|(?:is|are) (?:[\w'-]+ ){1,3}?)(?:allowed|permitted|banned|prohibited|forbidden)\b|\bis there (?:any |some )?(?:help|support|assistance)\b/;

/** Whether a rules question asks leave or help (`ASKS_LEAVE`) rather than how, how much or why. */
export function asksLeave(text: string): boolean {
  return isRulesQuestion(text) && ASKS_LEAVE.test(expandChatSpeak(foldText(text)).toLowerCase());
}

/** A concrete trip: a route, or a place and a day. A question naming one is a search. */
function concreteTrip(text: string): boolean {
  const e = extractEntities(text);
  const places = e.places.filter((p) => !p.startsWith("in:"));
  return places.length >= 2 || (places.length >= 1 && (e.days.length > 0 || e.dates.length > 0));
}

/**
 * Booking references (FL-XXXXXX, HT-XXXXXX; written without the hyphen, one holds a digit, so a
 * word such as "flexible" is none) and card endings: about one booking, not about the rules.
 */
const ABOUT_ONE_BOOKING =
  /\b(?:fl|ht)-[a-z0-9]{6}\b|\b(?:fl|ht)(?=[a-z]*\d)[a-z0-9]{6}\b|\bending (?:in )?\d{4}\b/;

/**
 * Whether a request asks what the rules are rather than asking the assistant to act. False for
 * requests that name a concrete trip, a booking reference or a card ending.
 */
export function isRulesQuestion(text: string): boolean {
  const lower = expandChatSpeak(foldText(text));
  if (ASKS_TO_ACT.test(lower) || ABOUT_ONE_BOOKING.test(lower)) return false;
  if (!RULES_FRAMES.some((re) => re.test(lower))) return false;
  return !concreteTrip(text);
}

/**
 * Asking when or how long: a time, a deadline or a wait ("from when can I…", "what is the latest
 * I can…", "how many days until…", "how soon…"). A "when" that only sets a condition ("what
 * happens when my flight is cancelled") asks nothing of the kind.
 */
const ASKS_WHEN =
  /(?:^|[,;:.!?]\s*)when\b|\b(?:from|until|till|by|since) when\b|\bwhen (?:can|could|do|does|did|will|would|should|is|are|must|may)\b|\bhow (?:long|soon|early)\b|\bhow many (?:minutes|hours|days|weeks|months)\b|\b(?:what time|the (?:latest|earliest)|deadline)\b/;

/** Whether a question asks when or how long (`ASKS_WHEN`), in any wording the chat shorthand allows. */
export function asksWhen(text: string): boolean {
  return ASKS_WHEN.test(expandChatSpeak(foldText(text)).toLowerCase());
}

/**
 * A message that opens as a continuation of the conversation (elliptical: "what about her oxygen
 * machine", "and for my wife?", "how about in April"), whose subject is the last turn's.
 */
const CONTINUES =
  /^\W*(?:(?:ok(?:ay)?|so|well|hmm+|and|but|also|then)[,\s]+)*(?:(?:what|how) about|what if|and|also|plus|or|same (?:for|with|goes))\b/;

/** Whether `text` continues the conversation rather than opening a subject of its own (`CONTINUES`). */
export function continuesConversation(text: string): boolean {
  return CONTINUES.test(text.toLowerCase());
}

/** Words that open a question: a question word, or an auxiliary put before its subject. */
const QUESTION_OPENING =
  /^(?:(?:so|and|but|also|ok(?:ay)?|hey|hi|well|then|um+|uh+|oh)[,\s]+)*(?:what|which|who|whom|whose|where|when|why|how|do|does|did|is|are|was|were|am|can|could|would|will|shall|should|may|might|have|has|had|must|any|anything)\b/;
/** Asked of the assistant to keep something in mind: a request in a question's form, stating what follows. */
const ASKS_TO_NOTE =
  /^(?:(?:can|could|would|will) (?:you|u) (?:please )?)?(?:please )?(?:remember|note|make a note|keep in mind|add to my profile)\b/;
/**
 * A request to search, book, change or act, in the imperative or in the first person ("I'm looking
 * for", "we need"): what it says of seats, budget or party belongs to that request ("find me a
 * hotel under $200 a night"), not to the customer.
 */
const ASKS_TO_DO =
  /^(?:(?:please|pls|plz|ok(?:ay)?|so|and|now|then|hi|hey)[,\s]+)*(?:find|search|show|book|reserve|get|look|list|give|check|compare|pay|cancel|hold|send|change|update|add|switch|move|upgrade|modify|remove|make|tell|help|(?:i|we)(?:'m| am|'re| are) looking for|looking for|(?:i|we)(?:'d| would) like|(?:i|we) (?:want|need|wanna))\b/;

/** The speaker (or the speaker's party) as the one spoken of. */
const FIRST_PERSON = /\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|mine|myself|we|we're|we've|we'd|our|ours|us)\b/;

/**
 * A clause that goes on with the request before it rather than stating anything ("…, but not
 * Island Air", "…, for me and my wife"); one with a subject of its own ("…, and I'm vegetarian")
 * states.
 */
const REQUEST_GOES_ON =
  /^(?!(?:and|but) (?:i|i'm|im|we|we're|my|our)\b)(?:but|and|or|except|not|without|only|just|no|preferably|ideally|for|with|under|below|around|at|in|on|from|to|by|before|after|between)\b/;

/** A message's sentences, each split into its clauses, with whether the sentence is a question. */
function clausesOf(text: string): Array<{ clauses: string[]; asked: boolean }> {
  return [...foldText(text).matchAll(/[^.!?;\n]+[.!?;\n]*/g)].map(([sentence]) => ({
    asked: sentence.includes("?"),
    clauses: sentence
      .replace(/[.!?;\n\s]+$/, "")
      .split(",")
      .map((c) => c.trim()),
  }));
}

/** Whether a clause asks something: opened by a question word, unless it asks to note what follows. */
const asks = (clause: string): boolean => {
  const lower = expandChatSpeak(clause).toLowerCase();
  return QUESTION_OPENING.test(lower) && !ASKS_TO_NOTE.test(lower);
};

/**
 * The parts of a message that state something of the speaker: each sentence without its question
 * clauses (opened by a question word or an auxiliary, or the last clause of a sentence ending in
 * "?") and, unless `withRequests`, without requests, kept when it speaks of "I" or "we" ("rules for
 * service dogs" states nothing of the speaker). "do you have vegetarian meals?" and "is a window
 * seat better" state nothing of the customer; "I'm vegetarian, what can I eat on board?" states
 * its first clause. Case is kept (airport codes are read by it).
 */
export function speakerStatements(text: string, options: { withRequests?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const { clauses, asked } of clausesOf(text)) {
    let request = false;
    const stated = clauses.filter((c, i) => {
      const lower = c.toLowerCase();
      // "book the cheapest, but not Island Air": the request's own terms go on after its comma.
      request = ASKS_TO_DO.test(lower) || (request && REQUEST_GOES_ON.test(lower));
      return (
        c !== "" &&
        (options.withRequests || !request) &&
        !asks(c) &&
        !(asked && i === clauses.length - 1 && !ASKS_TO_NOTE.test(lower))
      );
    });
    const kept = stated.join(", ");
    if (FIRST_PERSON.test(kept.toLowerCase())) out.push(kept);
  }
  return out;
}

/** Whether any clause of the message asks or requests something (see `speakerStatements`). */
export function asksAnything(text: string): boolean {
  return clausesOf(text).some(
    ({ clauses, asked }) =>
      // "can you remember I'm vegan?" asks only to note what it states.
      (asked && !ASKS_TO_NOTE.test(clauses.at(-1)!.toLowerCase())) ||
      clauses.some((c) => c !== "" && (asks(c) || ASKS_TO_DO.test(c.toLowerCase()))),
  );
}
