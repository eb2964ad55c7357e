/**
 * The intents in working order, and the rules `intents.ts` scores a message with: weighted
 * phrases (negative weights count against an intent) and rules on the extracted slots. The
 * travel-fact rules live in `fact-intents.ts` and are listed here.
 */
import { asksLeave, asksWhatToWear, type Slots, TEMPERATURE_WORD } from "../../../language/index.js";
import { FACT_PHRASE_RULES, FACT_SLOT_RULES, SHARED_PHRASE_RULES } from "./fact-intents.js";

/** Intents in working order. */
export const INTENTS = [
  "greeting",
  "profile",
  "support_history",
  "my_bookings",
  "cancel_booking",
  "policy_faq",
  "weather",
  "destination_advice",
  "airport_info",
  "airline_info",
  "time_zone",
  "ground_transport",
  "flight_search",
  "hotel_search",
  "book_flight",
  "insurance",
  "payment",
  "other",
] as const;

export type Intent = (typeof INTENTS)[number];

/** Asking what Flightly knows or keeps of the customer: their profile and memories answer it. */
export const KNOWN_OF_ME =
  /\bwhat (?:do you|does flightly|have you) (?:know|remember|got|have|saved|kept|stored)(?: on file)? (?:about|of|on|for) (?:me|us)\b/;

export interface PhraseRule {
  intent: Intent;
  re: RegExp;
  /** Negative weights let a phrase count against an intent ("how do I pay" is a question). */
  weight: number;
  /** The rule does not count when the whole text matches this. */
  unless?: RegExp;
}

export interface SlotRule {
  intent: Intent;
  weight: number;
  when(slots: Slots, lower: string): boolean;
}

/** A stay the customer has booked: listing or cancelling it, not looking for a hotel. */
const STAY_ON_ACCOUNT =
  /\b(?:my|our) (?:hotel |room )?(?:bookings|reservations|stays)\b|\b(?:my|our) (?:hotel|room) (?:booking|reservation|stay)\b|\b(?:cancel\w*|call off|scrap|scrub|scratch|drop|ditch|kill|axe|nix)\b[^.?!]*\b(?:hotel|stay|room)\b|\bht-[a-z0-9]{6}\b/;
const HOTEL_WITHOUT_FLIGHT = /\b(?:hotels?|rooms?|resorts?|accommodations?)\b(?![^.]*\bflights?\b)/;
/** "Does travel insurance cover…?", "what is the insurance…": a question, not an order. */
const INSURANCE_QUESTION =
  /(?:^|[.!?]\s*)(?:does|do|what|is|are|how|which)\b[^.?!]*\binsur(?:ance|ed|e)\b|\binsurance\b[^.?!]*\b(?:cover|covers|covered|worth)\b[^.?!]*\?/;

/** "Visa" the card: paid or charged with, or named with a card word ("my visa card", "visa ending 4242"). */
const CARD_BRAND_VISA =
  /\b(?:with|using|on|by|charge|use|onto) (?:my |a |the |your |our )?visa\b(?! (?:for|to)\b)|\bvisa (?:card|debit|credit|ending|number|no\.?|\d)/;

/**
 * A booking already made, asked about: "what did I last book", "the most recent thing I booked",
 * "have we reserved anything", "I recently bought".
 */
const PAST_BOOKING =
  /\b(?:did|have) (?:i|we) (?:\w+ )?(?:book|booked|reserve|reserved|buy|bought|fly|flown|travel|travell?ed)\b(?=[^.?!]*\b(?:with (?:you|flightly|us)|last|before|ever|recently)\b)|\b(?:did|have) (?:i|we) (?:\w+ )?(?:book|booked|reserve|reserved|buy|bought)\b|\b(?:i|we) (?:booked|reserved|bought) (?:last|before|previously|recently)\b|\b(?:thing|trip|flight|stay|ticket|hotel)s? (?:that )?(?:i|we) (?:(?:last|recently|just) )?(?:booked|reserved|bought)\b|\b(?:i|we) (?:last|recently) (?:booked|reserved|bought)\b/;

/** A booking asked to be moved to another day or time. */
const BOOKING_CHANGE =
  /\b(?:change|move|reschedule|rebook|switch|push|postpone|bring forward)\b (?:it|that|this|(?:my|our|the) (?:flight|booking|trip|reservation|ticket)|fl-[a-z0-9]{6})\b[^.?!]{0,30}\b(?:to|for|until|till)\b/;

export const PHRASE_RULES: readonly PhraseRule[] = [
  // greeting
  {
    intent: "greeting",
    re: /^\s*(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening)|thanks|thank you)\b/,
    weight: 1,
  },

  // support history
  {
    intent: "support_history",
    re: /\bsupport (?:conversations?|chats?|calls?|tickets?|threads?|cases?|agents?|team)\b/,
    weight: 1,
  },
  {
    intent: "support_history",
    re: /\bwhat did (?:support|the agent|your agent|you guys|your team) (?:tell|say)/,
    weight: 1,
  },
  {
    intent: "support_history",
    re: /\b(?:our|my) (?:last |previous |earlier |recent )?(?:conversation|chat)\b/,
    weight: 1,
  },
  {
    intent: "support_history",
    re: /\b(?:contact(?:ed)?|talk(?:ed)? (?:to|with)|sp(?:o|ea)ke (?:to|with)|call(?:ed)?|chat(?:ted)? with|wr(?:o|i)te to) (?:support|customer service|an agent|your (?:support|team|agents?))\b/,
    weight: 1,
    // How or when the customer can reach support asks about the service, not a past conversation.
    unless:
      /\b(?:can|could|may|should|do) (?:i|we|you) (?:call|contact|reach|talk|speak|chat|write)\b|\bhow (?:do|can|to) (?:i |we )?(?:call|contact|reach)\b/,
  },
  {
    intent: "support_history",
    re: /\b(?:email|phone number|number) (?:from|in|i gave|i used)\b/,
    weight: 0.5,
  },
  {
    intent: "support_history",
    re: /\bwhat (?:the|your|an?) (?:agent|support|rep(?:resentative)?) (?:said|told)\b|\blast time i (?:called|contacted|wrote|chatted)\b/,
    weight: 1,
  },

  // bookings
  {
    intent: "my_bookings",
    re: /\bmy (?:\w+ )?(?:bookings|reservations|trips|itinerary|itineraries|stays)\b|\bmy upcoming flights\b/,
    weight: 1,
  },
  {
    intent: "my_bookings",
    re: /\b(?:status of|look up|lookup|check|show me|find|where is|details of|details for) (?:my |the )?(?:booking|reservation)\b/,
    weight: 1,
  },
  {
    intent: "my_bookings",
    re: /\b(?:my|our) (?:next|upcoming|last|previous|latest|most recent) (?:flight|trip|booking|reservation)s?\b/,
    weight: 1,
  },
  { intent: "my_bookings", re: PAST_BOOKING, weight: 1 },
  // "do I have any trips coming up": what the customer holds, not a search.
  {
    intent: "my_bookings",
    re: /\b(?:do|have) (?:i|we) (?:got |have )?(?:any(?:thing)? )?(?:upcoming |booked |planned )?(?:trips?|flights?|bookings?|reservations?|stays?)\b|\b(?:do|have) (?:i|we) (?:got |have )?anything (?:coming up|booked|planned|upcoming)\b|\bwhat (?:bookings|reservations|trips|flights|stays) (?:do|have) (?:i|we)\b/,
    weight: 1,
  },
  {
    intent: "cancel_booking",
    re: /\bcancel(?:l?ing)?\b(?=[^.?!]*\b(?:booking|reservation|trip|flight|ticket|it|that|this|them|both|fl-|ht-|hotel|stay|room))/,
    weight: 1,
    unless: /\b(?:can|could|may) (?:i|we)\b|\bpolic(?:y|ies)\b|\bwhat happens\b|\bif (?:i|we)\b/,
  },
  // Changing a booking's date ("reschedule my flight to the 20th", "change FL-6JQ958 to feb 15"):
  // Flightly changes no booking, so the rules for changing (cancel and book again) answer it.
  { intent: "policy_faq", re: BOOKING_CHANGE, weight: 1 },
  { intent: "flight_search", re: BOOKING_CHANGE, weight: -1 },
  { intent: "my_bookings", re: BOOKING_CHANGE, weight: -1 },
  // Cancelling in other words, said of the booking itself ("scrap that", "drop the hotel booking",
  // "call off the trip"): "call off", "scrub" and "scratch" are WordNet's for cancel, the rest
  // everyday speech.
  {
    intent: "cancel_booking",
    re: /\b(?:call off|scrap|scrub|scratch|drop|ditch|kill|axe|nix) (?:the |my |our |that |this )?(?:hotel |flight )?(?:booking|reservation|trip|flight|ticket|hotel|stay|room)\b|\b(?:call off|scrap|scrub|scratch|ditch|kill|nix) (?:it|that|this)\b/,
    weight: 1,
    unless: /\b(?:can|could|may) (?:i|we)\b|\bpolic(?:y|ies)\b|\bwhat happens\b|\bif (?:i|we)\b/,
  },

  // the customer's own profile: answered from it, not from a policy
  { intent: "profile", re: KNOWN_OF_ME, weight: 1 },
  {
    intent: "profile",
    re: /\bmy (?:first |full |last )?name(?! is\b)\b|\bname (?:is )?on my (?:account|profile)\b|\bwho am i\b/,
    weight: 1,
    // A name written wrong on a ticket asks for the correction rules, not for the profile.
    unless: /\b(?:misspel\w*|mis-?typed|typo|wrong|incorrect|correct(?:ion|ing)?|fix)\b/,
  },
  {
    intent: "profile",
    re: /\b(?:my|our) (?:loyalty|flightly|membership|miles|frequent[- ]flyer) (?:tier|status|level)\b|\b(?:which|what) (?:loyalty |membership )?(?:tier|level) am i\b|\bmy (?:loyalty )?tier\b/,
    weight: 1,
  },
  // The customer's own miles or points: their account answers (the balance is not kept here).
  {
    intent: "profile",
    re: /\b(?:my|our) (?:flightly )?(?:miles|points) balance\b|\bhow many (?:flightly )?(?:miles|points) (?:do (?:i|we) have|have (?:i|we) (?:got|earned|collected))\b/,
    weight: 1,
  },
  // "am I gold or platinum", "what name do you have on file for me": the customer's own record.
  {
    intent: "profile",
    re: /\bam (?:i|we) (?:a |an )?(?:silver|gold|platinum|diamond|elite)\b|\b(?:what|which) (?:\w+ )?(?:do you have|have you got|is) (?:\w+ ){0,2}on (?:file|record)\b|\bon (?:file|record) for (?:me|us)\b/,
    weight: 1,
  },
  {
    intent: "profile",
    re: /\b(?:what|which)(?:'s|s| is| are)? (?:my|our|the) (?:email(?: address)?|home airport|seat preference|profile)(?: (?:on|in) (?:my|the) (?:profile|account|file))?\b(?![^.?!]*\b(?:for|to) (?:the|this|my) (?:booking|flight)\b)/,
    weight: 1,
  },

  // policies and FAQ
  { intent: "policy_faq", re: /\bpolic(?:y|ies)\b/, weight: 1 },
  {
    intent: "policy_faq",
    re: /\b(?:baggage|luggage|carry-?on|checked bags?|bag fees?|allowance|strollers?|car seats?)\b/,
    weight: 1,
  },
  { intent: "policy_faq", re: /\brefund(?:s|able)?\b/, weight: 1 },
  { intent: "policy_faq", re: /\b(?:bags?|suitcases?)\b/, weight: 1 },
  { intent: "policy_faq", re: /\bchange (?:my|the|a) (?:booking|flight|reservation|ticket)\b/, weight: 1 },
  { intent: "policy_faq", re: /\b(?:change|cancell?ation|rebooking) fees?\b|\bcancell?ation\b/, weight: 1 },
  {
    intent: "policy_faq",
    re: /\bcan (?:i|we) (?:bring|take|carry|change|cancel|get|travel|fly)\b/,
    weight: 1,
  },
  {
    intent: "policy_faq",
    re: /\b(?:pets?|dogs?|cats?|unaccompanied|wheelchair|special assistance)\b/,
    weight: 0.5,
  },
  {
    intent: "policy_faq",
    re: /\b(?:miles|points|faq|rules?|allowed)\b/,
    weight: 0.5,
  },
  // The travel document, not the card brand ("pay with my visa", "visa ending 4242").
  { intent: "policy_faq", re: /\bvisas?\b/, weight: 1, unless: CARD_BRAND_VISA },
  {
    intent: "policy_faq",
    re: /\b(?:passports?|loyalty|check-?in (?:time|online|desk|opens|closes))\b/,
    weight: 1,
    unless:
      /\b(?:my|our) (?:loyalty|flightly|membership|miles) (?:tier|status|level)\b|\b(?:tier|level) am i\b/,
  },
  {
    intent: "policy_faq",
    re: /\bhow (?:do|can) (?:i|we) (?:book|pay|cancel|change)\b|\bpayment methods?\b/,
    weight: 1,
  },
  { intent: "policy_faq", re: INSURANCE_QUESTION, weight: 1 },
  { intent: "policy_faq", re: /\bmy flight (?:was|got|is|has been) (?:cancell?ed|delayed)\b/, weight: 1 },

  // weather
  {
    intent: "weather",
    re: /\b(?:weather|forecast|temp(?:erature)?s?|rain(?:y|ing)?|storms?|hurricanes?|typhoons?|snow(?:ing)?|sunny|humid(?:ity)?|degrees)\b/,
    weight: 1,
  },
  { intent: "weather", re: /\b(?:weather )?alerts?\b|\bwarnings?\b/, weight: 0.5 },
  { intent: "weather", re: TEMPERATURE_WORD, weight: 0.5 },

  // destination advice
  {
    intent: "destination_advice",
    re: /\b(?:things to do|what to do|what to see|to visit|attractions?|sights|sightseeing|activities|beaches|museums?|restaurants?|best time to (?:visit|go)|worth (?:visiting|seeing|it)|recommend(?:ations?)?|suggest(?:ions?)?|tips|ideas)\b/,
    weight: 1,
  },
  {
    intent: "destination_advice",
    re: /\b(?:which|what) (?:one |island |city |place )?(?:is |would be )?better\b/,
    weight: 1,
  },
  {
    intent: "destination_advice",
    re: /\bshould (?:we|i) (?:go|visit|choose|pick|stay)\b|\bwhere should\b/,
    weight: 1,
  },
  {
    intent: "destination_advice",
    re: /\b(?:kid|family|child)[- ]friendly\b|\b(?:with|for) (?:the |a |my |our )?(?:kids|children|family|families)\b/,
    weight: 0.5,
  },

  {
    intent: "destination_advice",
    re: /\bwhat (?:can|should|could) (?:we|i) (?:do|see)\b|\bsomewhere (?:warm|sunny|cheap|new|fun|quiet|relaxing)\b|\bwhere to go\b/,
    weight: 1,
  },

  // flights
  {
    intent: "flight_search",
    re: /\b(?:flights?|airfares?|fares?|nonstop|non-stop|one-way|round[- ]trip)\b/,
    weight: 1,
  },
  { intent: "flight_search", re: /\bfly(?:ing)?\b/, weight: 1 },
  { intent: "flight_search", re: /\b(?:plane )?tickets?\b/, weight: 0.5 },
  { intent: "flight_search", re: /\bmy flight (?:was|got|is|has been) (?:cancell?ed|delayed)\b/, weight: -1 },
  {
    intent: "flight_search",
    re: /\b(?:my|our) (?:next|upcoming|last|previous|latest|booked) (?:flight|trip)s?\b|\b(?:did|have) (?:i|we) (?:book|booked)\b/,
    weight: -1,
  },

  // hotels
  {
    intent: "hotel_search",
    re: /\b(?:hotels?|resorts?|accommodations?|lodging|place to stay|somewhere to stay|where to stay|rooms?|inns?|motels?)\b/,
    weight: 1,
  },
  {
    intent: "hotel_search",
    re: /\b(?:stay(?:ing)?|nights?|check[- ]in|sea view|ocean view|pool)\b/,
    weight: 0.5,
  },

  // booking a flight
  { intent: "book_flight", re: /\b(?:book|reserve|purchase|buy)\b/, weight: 1, unless: HOTEL_WITHOUT_FLIGHT },
  {
    intent: "book_flight",
    re: /\b(?:book|reserve) (?:me |us )?(?:a |the |my |that |this |our )?(?:\w+ )?flights?\b/,
    weight: 1,
  },
  {
    intent: "book_flight",
    re: /\b(?:i'll|i will|we'll|we will|let's|lets) (?:take|go with|book)\b|\bhold (?:it|that|the flight|a seat)\b/,
    weight: 1,
  },
  { intent: "book_flight", re: /\bhow (?:do|can) (?:i|we) book\b/, weight: -1 },
  { intent: "book_flight", re: PAST_BOOKING, weight: -1 },
  { intent: "flight_search", re: PAST_BOOKING, weight: -1 },

  // insurance (an action; questions about it are policy questions)
  {
    intent: "insurance",
    re: /\b(?:insurance|trip protection|travel protection|insured)\b/,
    weight: 1,
  },
  // The verb, whatever follows it ("insure and book", "pay for and insure the flight").
  { intent: "insurance", re: /\binsur(?:e|es|ing)\b/, weight: 1 },
  // Protection asked for by name alone ("then add protection", "throw in protection").
  {
    intent: "insurance",
    re: /\b(?:add(?:ing)?|with|plus|get|include|throw in|want|need)\b[^.?!]{0,20}\b(?:protection|cover(?:age)?)\b(?! (?:charge|letter|photo|page|band)\b)/,
    weight: 1,
  },
  { intent: "insurance", re: INSURANCE_QUESTION, weight: -1 },

  // payment
  {
    intent: "payment",
    re: /\b(?:pay|charge|checkout|check out|process (?:the )?payment|bill me)\b/,
    weight: 1,
  },
  { intent: "payment", re: /\b(?:card on file|my (?:card|visa|mastercard|amex))\b/, weight: 0.5 },
  {
    intent: "payment",
    re: /\bhow (?:do|can) (?:i|we) pay\b|\bpayment methods?\b|\bcan (?:i|we) pay\b/,
    weight: -1,
  },
  ...FACT_PHRASE_RULES,
  ...SHARED_PHRASE_RULES,
];

export const SLOT_RULES: readonly SlotRule[] = [
  {
    intent: "flight_search",
    weight: 1,
    when: (s, lower) =>
      (s.origin !== undefined || s.unknownPlaces.some((u) => u.role === "origin")) &&
      (s.destinations.length > 0 || s.unknownPlaces.some((u) => u.role === "destination")) &&
      !HOTEL_WITHOUT_FLIGHT.test(lower),
  },
  {
    intent: "my_bookings",
    weight: 1,
    when: (s, lower) =>
      s.bookingRefs.length > 0 && !/\b(?:cancel\w*|insur\w*|pay|charge|confirm|book)\b/.test(lower),
  },
  { intent: "cancel_booking", weight: 0.5, when: (s) => s.bookingRefs.length > 0 },
  // How hot or cold a named place is ("is Oslo nippy in March") is asked of its weather.
  {
    intent: "weather",
    weight: 0.5,
    when: (s, lower) => (s.destinations.length > 0 || s.origin !== undefined) && TEMPERATURE_WORD.test(lower),
  },
  // So is what to wear or pack there ("will I need a heavy coat in Chicago next week"); asking
  // leave to bring it on board, or what is worn on board, is a rules question.
  {
    intent: "weather",
    weight: 1,
    when: (s, lower) =>
      (s.destinations.length > 0 || s.origin !== undefined) && asksWhatToWear(lower) && !asksLeave(lower),
  },
  // "my hotel bookings", "cancel my hotel": a stay on the account, not a hotel search (no city named).
  {
    intent: "hotel_search",
    weight: -1,
    when: (s, lower) => s.destinations.length === 0 && STAY_ON_ACCOUNT.test(lower),
  },
  // "my flight FL-7K2Q9D" is about a booking, not a new search.
  { intent: "flight_search", weight: -1, when: (s) => s.bookingRefs.length > 0 },
  {
    intent: "destination_advice",
    weight: 0.5,
    when: (s, lower) => s.destinations.length > 1 && /\b(?:or|vs\.?|versus)\b/.test(lower),
  },
  { intent: "payment", weight: 0.5, when: (s) => s.cardLast4 !== undefined },
  ...FACT_SLOT_RULES,
];
