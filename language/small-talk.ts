/**
 * Small talk: a message that is nothing but greetings, thanks or goodbyes ("hello!", "thx bye",
 * "ok thanks so much"). Its words are a closed class of English formulae, read by form, never by
 * nearness to examples: "thanks" is near "how do I say thanks in Thai", which is not small talk.
 */
export type SmallTalk = "greeting" | "thanks" | "farewell";

const FORMULAE: ReadonlyArray<[SmallTalk, RegExp]> = [
  [
    "greeting",
    /^(?:h+i+|he+y+|hel+o+|hiya|howdy|greetings|yo|good (?:morning|afternoon|evening|day)|morning|evening|how are (?:you|u)(?: doing| today)?|how's it going|what's up|sup)\b/,
  ],
  [
    "thanks",
    /^(?:thank (?:you|u)|thanks?|thx|thnx|ty|cheers|much appreciated|appreciate it|(?:that's|thats|that is) (?:great|perfect|helpful|all|it|everything)(?: (?:i|we) (?:needed|wanted|need))?|great|perfect|awesome|cool|nice|brilliant|lovely)(?: (?:a lot|so much|very much|a bunch|a million|again|loads|heaps))?\b/,
  ],
  [
    "farewell",
    /^(?:bye(?: bye)?|goodbye|good ?night|see (?:you|ya|u)(?: later| soon)?|cya|take care|later|have a (?:good|nice|great|lovely) (?:day|one|night|evening|weekend|trip))\b/,
  ],
];
/** Words that may come between or around the formulae: fillers and who is addressed. */
const FILLER =
  /^(?:oh|ok(?:ay)?|well|and|so|great|there|again|then|all|everyone|folks|guys|team|mate|flightly|bot|for (?:the|your) help|for (?:that|everything)|for now|(?:that's|thats|that is) (?:all|it|everything)(?: (?:i|we) (?:needed|wanted|need))?|(?:super|very|so|really) helpful|helpful|(?:you've|you have) been (?:(?:really|very|so|super) )?(?:great|helpful|a (?:great |big )?help))\b/;

/** What kind of small talk `text` is (the last formula said wins: "thanks, bye" is a goodbye), or undefined. */
export function smallTalkOf(text: string): SmallTalk | undefined {
  let rest = text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[^a-z' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  let kind: SmallTalk | undefined;
  while (rest.length > 0) {
    const formula = FORMULAE.find(([, re]) => re.test(rest));
    const m = formula ? formula[1].exec(rest) : FILLER.exec(rest);
    if (!m) return undefined;
    if (formula) kind = formula[0];
    rest = rest.slice(m[0].length).trim();
  }
  return kind;
}
