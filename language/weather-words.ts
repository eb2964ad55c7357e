import pluralize from "pluralize";
/**
 * Words that say how hot or cold it is, derived from WordNet 3.1 by `scripts/temperature-words.ts`
 * (the adjectives hot, cold, warm and cool and those WordNet lists as similar to them that it
 * defines by the weather or as a degree of the four). The test re-derives the list from WordNet.
 */
export const TEMPERATURE_WORDS: readonly string[] = `arctic bleak blistering blistery caller chilly cold cool
crisp cutting fiery frigid frore frosty gelid glacial hot hottish icy igneous lukewarm nipping nippy parky
polar raw scorching shivery sizzling snappy stifling sulfurous sulphurous sultry sweltering sweltry tepid
torrid tropic tropical warm`.split(/\s+/);

/** Nouns a temperature word describes when it describes the weather ("cold nights", "a hot spell"). */
const WEATHER_NOUNS =
  "weather|climate|temperatures?|air|winds?|breeze|days?|nights?|mornings?|evenings?|months?|seasons?|summers?|winters?|springs?|autumns?|falls?|spells?|waves?";
/**
 * What may follow an adjective said of something rather than before a noun: the end, a stop, a
 * preposition, a conjunction, a verb or an adverb of time ("is Oslo icy in March", "how warm does it
 * get", "cold enough for a coat").
 */
const AFTER_PREDICATE =
  "$|[?!.,;:]|(?:in|at|during|around|by|on|for|from|through|there|then|now|today|tonight|tomorrow|this|next|these|those|over|enough|or|and|but|when|if|than|yet|outside|out|does|do|did|is|are|was|were|will|would|gets?|getting|becomes?|stays?)\\b";

/**
 * A temperature word said of the weather: predicative ("is it chilly in Oslo") or before a weather
 * noun ("sweltering days"), not before another noun ("hot deals", "raw fish") nor as a noun ("a
 * cold"). Matches lower-case text.
 */
export const TEMPERATURE_WORD = new RegExp(
  `(?<!\\b(?:a|an)\\s+)\\b(?:${TEMPERATURE_WORDS.join("|")})\\b(?=\\s*(?:${AFTER_PREDICATE}|(?:${WEATHER_NOUNS})\\b))`,
);

/**
 * Things worn or carried against the weather, derived from WordNet 3.1 by
 * `scripts/weather-gear-words.ts` (nouns whose first sense lies below clothing, footwear or
 * canopy). The test re-derives the list from WordNet.
 */
export const WEATHER_GEAR_WORDS: readonly string[] =
  `aba abaya accessory accouterment accoutrement activewear alb anklet anklets anorak apparel apron
ascot attire aventail awning babushka balaclava baldachin baldric baldrick balldress balmoral
bandeau bandoleer bandolier bathrobe beachwear beanie beany beret berretta bicorn bicorne biggin
biretta birretta blazer bloomers blouse boa boater bobbysock bobbysocks bodice boilersuit bola bolo
bonnet boot bootee boothose bootie bowtie boxers boxershorts bra brassiere breechcloth breechclout
breeches briefs britches brogan brogue brolly buckskins burberry burka burnoose burnous burnouse
burqa busby buskin bustier bvd caftan cagoule calash calceus caleche calpac calpack camail camise
camisole camlet canopy cap capote capuchin cardigan cassock chadar chaddar chador chapeau chasuble
chemise chinos chiton chopine chuddar churidars civies civvies cleats clodhopper clog clothes
clothing coat coatdress coatee coonskin cords corduroys coronet corset costume coverall cravat
crinoline culotte daishiki dashiki deerstalker denim derby dhoti diadem diaper dirndl dolman
doublet drawers dress duds espadrille eveningwear fatigues fedora fichu finery flats flatwork
flipper footgear footwear formalwear frock furnishing gaberdine gaiter gallus galosh gamp garb
garment geta getup ghillie glengarry golosh gown greatcoat grizzle gymslip habiliment haick haik
hairpiece handwear hat headdress headgear headscarf hessian hijab homburg hoopskirt hose hosiery
housecoat huarache huaraches ironing izar jackboot jacket jammies jeans jellaba jerkin jockstrap
jodhpur jodhpurs jumpsuit kaffiyeh kaftan kalansuwa kalpac kameez kanzu kepi kerchief khakis khimar
kilt kimono kirtle knickerbockers knickers knitwear kurta lambrequin laundry lavalava lederhosen
legging leghorn leging leotard leotards levis lingerie livery loincloth loungewear mac mack
mackinaw maillot mantilla mantua mask maxi mending middy mini miniskirt mitten mobcap mocassin
moccasin muff muumuu nappy neckcloth neckerchief neckpiece necktie neckwear neglige negligee
newmarket nightclothes nightdress nightgown nightie nightshirt nightwear niqab nylons oilskin
outerwear overall overclothes overcoat overgarment overshoe overskirt pajama pantie pants pantsuit
panty pantyhose parka patka patten peacoat peignoir pelisse peplos peplus periwig peruke petticoat
pillbox pinafore pinner pinny pinstripe playsuit polonaise poncho pontifical porkpie postiche
pullover puttee pyjama raglan raiment raincoat rayons rebozo regimentals reversible rigout robe
sabot sackcloth sacque salwar sandal sarape saree sari sarong scanty scapulary scarf scrubs scuff
scuffer seatbelt serape shako shalwar shawl shinpad shirt shirtdress shirtwaist shirtwaister shoe
shorts silks singlet skivvies skullcap slacks sleepwear slicker slingback slipover slipper smock
sneaker snowsuit sock soutane spacesuit sportswear stays stetson stocking stole stomacher
straightjacket strapless suit sunblind sunbonnet sundress sunhat sunshade sunsuit surcoat surplice
surtout suspender suspensor swallowtail sweater sweatpants sweats sweatshirt sweatsuit swimsuit
swimwear tabard tabi tabis tailcoat tails talaria tallith tam tarboosh threads tiara tie tights
tippet tirolean titfer toga togs topcoat topee topi topknot toque toupe toupee trappings trews
tricorn tricorne trouser trousers trousseau trunks tudung turban turtle turtleneck tux tuxedo
umbrella underbodice underclothes underclothing underdrawers undergarment underpants undershirt
underskirt underwear undies uniform unitard unmentionable veil ventail vest vestiture vestment
waders waistcoat washables wearable wedgie weeds wig wimple windbreaker windcheater workwear wrap
wraparound wrapper yarmelke yarmulka yarmulke yashmac yashmak zori`.split(/\s+/);

/** Each gear word and its plural ("galosh", "galoshes"; never "suit" for "suites"). */
const GEAR_FORMS = [...new Set(WEATHER_GEAR_WORDS.flatMap((w) => [w, pluralize.plural(w)]))].join("|");

/**
 * Asking what to wear or pack ("should I pack an umbrella", "will I need a heavy coat", "what
 * should we wear"). Matches lower-case text.
 */
export const ASKS_WHAT_TO_WEAR = new RegExp(
  `\\b(?:pack|packing|bring|wear|wearing|need|take)\\b(?:\\s+(?:a|an|my|our|some|the|any|extra))?(?:\\s+[a-z-]+)?\\s+(?:${GEAR_FORMS})\\b|\\bwhat (?:should|do|to|shall|would) (?:i |we )?(?:wear|pack)\\b`,
);

/**
 * Where what is worn is a rule or a service, not a matter of weather: on board ("wear a mask on
 * my flight"), at the hotel ("laundry service at my hotel"), in the luggage.
 */
const ON_BOARD_OR_STAY =
  /\b(?:flights?|planes?|aircraft|on ?board|cabin|seats?|luggage|bags?|carry-?on|suitcases?|hotels?|rooms?|suites?|service)\b/;

/** Whether a message asks what to wear or pack against the weather (`ASKS_WHAT_TO_WEAR`, not on board or at a hotel). */
export function asksWhatToWear(lower: string): boolean {
  return ASKS_WHAT_TO_WEAR.test(lower) && !ON_BOARD_OR_STAY.test(lower);
}
