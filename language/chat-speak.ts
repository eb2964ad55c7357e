/**
 * Chat abbreviations written out: "u" → "you", "b4" → "before", "hrs" → "hours". The list is the
 * everyday part of the public SMS / chat abbreviation references (Wikipedia, "SMS language" and
 * "List of acronyms: internet slang"; the NetLingo list of chat acronyms and text shorthand),
 * limited to shorthand that stands for ordinary words and never for a travel term.
 */

const SHORTHAND: Readonly<Record<string, string>> = {
  u: "you",
  ur: "your",
  ya: "you",
  r: "are",
  b4: "before",
  bc: "because",
  cuz: "because",
  coz: "because",
  pls: "please",
  plz: "please",
  thx: "thanks",
  wat: "what",
  wut: "what",
  ty: "thank you",
  abt: "about",
  thru: "through",
  tho: "though",
  rn: "right now",
  asap: "as soon as possible",
  idk: "i do not know",
  im: "i am",
  ive: "i have",
  dont: "do not",
  doesnt: "does not",
  didnt: "did not",
  cant: "cannot",
  wont: "will not",
  isnt: "is not",
  wasnt: "was not",
  havent: "have not",
  hasnt: "has not",
  whats: "what is",
  wanna: "want to",
  gonna: "going to",
  gotta: "have to",
  hafta: "have to",
  lemme: "let me",
  gimme: "give me",
  tmrw: "tomorrow",
  tmr: "tomorrow",
  "2moro": "tomorrow",
  "2day": "today",
  nite: "night",
  hr: "hour",
  hrs: "hours",
  mins: "minutes",
  wk: "week",
  wks: "weeks",
  yr: "year",
  yrs: "years",
  yo: "year old",
  pts: "points",
  ppl: "people",
  msg: "message",
  acct: "account",
  info: "information",
  approx: "approximately",
  bday: "birthday",
  gf: "girlfriend",
  bf: "boyfriend",
  bro: "brother",
  sis: "sister",
  fam: "family",
  pic: "picture",
  pics: "pictures",
  diff: "different",
  esp: "especially",
  nvm: "never mind",
  btw: "by the way",
  fyi: "for your information",
  $: "money",
};

/** "10yo", "6yr", "3hrs": a number glued to its unit. */
const GLUED = /^(\d+)([a-z]+)$/;

/** The written-out form of one word, or the word itself. */
function expandShorthand(word: string): string {
  const w = word.toLowerCase();
  const whole = SHORTHAND[w];
  if (whole !== undefined) return whole;
  const glued = GLUED.exec(w);
  if (glued && SHORTHAND[glued[2]!] !== undefined) return `${glued[1]} ${SHORTHAND[glued[2]!]}`;
  return word;
}

/**
 * The text with chat shorthand written out, word by word; apostrophes kept, other punctuation
 * kept in place. Lower-cased.
 */
export function expandChatSpeak(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\$(?=\s|$)|[a-z0-9$]+/g, (w) => expandShorthand(w));
}
