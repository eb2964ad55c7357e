/**
 * The local embedder's lexicons: places, airlines and aliases, airport codes, dates, numbers,
 * currencies, negations, roles, a travel thesaurus and stopwords.
 */

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
export const AMBIGUOUS_PLACES = new Set(words("turkey, jordan, georgia, nice, split, victoria"));

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
export const AMBIGUOUS_AIRLINES = new Set(
  words("united, american, delta, southwest, spirit, frontier, alaska, hawaiian, swiss, norwegian, turkish"),
);
export const AIRLINE_CONTEXT = new Set(
  words("flight, flights, airline, airlines, airways, air, plane, miles, fare, fares"),
);

/** Canonical names: every alias maps to one entity. */
export const ALIASES: Record<string, string> = {
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
export const AIRPORT_CODES = new Set(
  words(`jfk, lax, sfo, lhr, lgw, stn, cdg, ord, atl, dfw, ewr, lga, iad, dca, yyz, yvr, yul, nrt, hnd,
icn, hkg, dxb, auh, doh, ams, fra, muc, bcn, fco, mxp, syd, akl, gru, cun, bkk, pvg, pek, sea-tac`),
);
/** Upper-case three-letter words that are not airports. */
export const NOT_CODES = new Set(
  words("usa, faq, atm, tsa, eta, pnr, vip, api, sms, pdf, gps, ceo, uae, eur, usd, gbp, jpy, cad, aud, chf"),
);

export const MONTHS = new Map<string, string>(
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
export const WEEKDAYS = new Set(words("monday, tuesday, wednesday, thursday, friday, saturday, sunday"));
export const RELATIVE_DAYS = new Set(words("today, tonight, tomorrow, yesterday, weekend"));
export const DAY_PARTS = new Set(words("morning, afternoon, evening, night"));
export const PERIODS = new Set(
  words("week, weeks, month, months, year, weekend, summer, winter, spring, autumn, fall"),
);
export const DATE_MODIFIERS = new Set(words("this, next, last, coming"));
/** Words before "may" that make it the month. */
export const MONTH_CONTEXT = new Set(words("in, of, early, late, mid, during, until, by, since, through"));
export const HOLIDAYS = new Set(
  words("christmas, easter, thanksgiving, halloween, hanukkah, ramadan, diwali"),
);

export const NUMBER_WORDS = new Map<string, number>(
  words(
    "zero, one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen, fourteen, fifteen, sixteen, seventeen, eighteen, nineteen, twenty",
  ).map((w, i) => [w, i]),
);
export const DIGIT_WORDS = [...NUMBER_WORDS.keys()];

export const CURRENCIES: Record<string, string> = {
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

export const NEGATIONS = new Set(
  words(
    "not, no, never, without, cannot, nor, none, nothing, nobody, neither, non, prohibited, forbidden, banned, disallowed",
  ),
);
/** Words that start with "non" but negate nothing. */
export const NOT_NEGATED = new Set(words("nonstop, non-stop"));
/** Single words that carry a negation ("nonrefundable"). */
export const NEGATED_WORDS = new Set(words("nonrefundable, nontransferable, nonsmoking, unavailable"));

export const ROLE_FROM = new Set(words("from, leaving, departing"));
export const ROLE_TO = new Set(words("to, into, towards"));
/** Non-entity nouns whose from/to role still changes the meaning ("from the airport to my hotel"). */
export const ROLE_NOUNS = new Set(
  words(
    "airport, hotel, station, city, downtown, center, centre, terminal, port, cruise, beach, home, office, apartment",
  ),
);
export const DETERMINERS = new Set(words("the, a, an, my, our, your, his, her, their, this, that, its"));

export const CONTRACTIONS: Record<string, string[]> = {
  "can't": ["can", "not"],
  "won't": ["will", "not"],
  "shan't": ["shall", "not"],
  "ain't": ["is", "not"],
};
export const SUFFIXES: Array<[string, string]> = [
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
export const SYNONYMS: ReadonlyMap<string, string> = (() => {
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
export const STOPWORDS = new Set(
  `a about above after again all am an and any are as at be been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my myself no nor not of off on once only or
other our ours out over own same she should so some such than that the their theirs them then there
these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself please possible able get got need want wants like know
tell let make way also there is it any anything something thing things`.split(/\s+/),
);

/** Multi-word phrases (places, airlines, aliases) indexed by first word, longest first. */
export const PHRASES = (() => {
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

export const PLACE_SET = new Set(PLACES);
export const AIRLINE_SET = new Set(AIRLINES);
