/**
 * Questions about the rules go to support and its knowledge search, whatever they mention — a
 * flight, a card, insurance —, while requests to act keep their agent. Prompts written for this
 * suite; none is a router example.
 */
import { describe, expect, it } from "vitest";
import { ROUTE_EXAMPLES } from "../../agents/routes.js";
import { asksLeave, extractSlots, isRulesQuestion } from "../../language/index.js";
import { LocalEmbedder } from "../../memory/embeddings/local.js";
import { detectIntents } from "../../orchestrator/models/local/intents.js";
import { SemanticRouter } from "../../orchestrator/router.js";

const NOW = new Date("2027-01-04T12:00:00Z");

const RULES = [
  "at what point should we reach the airport before a flight overseas?",
  "is it ok to buy the travel insurance after my card was charged?",
  "can we still get trip insurance once the booking is paid?",
  "do you guys accept a debit card for flights?",
  "how much does it cost to bring a second suitcase on my flight?",
  "what happens to my seat if the airline changes the plane?",
  "am i entitled to anything when my flight lands five hours late?",
  "does a car seat count against the luggage allowance on the plane?",
  "will my card be charged in euros or dollars?",
  "how long do i have to cancel a flight without paying anything?",
  "if i pay with klarna can i cancel later?",
];

/** Rules questions in forms beyond a fixed list of verbs: any verb, the options, the consequence. */
const RULES_IN_OTHER_FORMS = [
  "does my surfboard travel for free?",
  "do we earn miles on hotel stays?",
  "will our vouchers lapse at the end of the year?",
  "can the rest of my group still travel if i drop out?",
  "what is returned to us if we skip the return leg?",
  "my pram is too big for the overhead bin, what are my options?",
  "what's the earliest i can check my bags in?",
  "where will our money go now that the account is shut?",
  "the airline never reimbursed my taxi",
  "the hotel charged me a resort fee, is that fair?",
  // "what now" after what went wrong; "wat" in chat spelling.
  "our bags never made the transfer in Frankfurt, what now",
  "wat happens to my seat if i turn up late",
  "is the flexible rate refundable?",
  "what extras come with the premium fare?",
  // what was done to the customer's booking, and which of two options is better
  "the desk moved our family to a smaller room last night",
  "on an overnight trip are exit rows or bulkhead rows better?",
  // what something the customer was shown or charged means
  "the app shows a red triangle next to my seat, what is that?",
  "a 12 dollar line appeared on the receipt. what's this",
];

const ACTIONS = [
  "find me a flight from Denver to Atlanta on Friday",
  "can you book the cheapest one for me",
  "are there any flights to Paris next week?",
  "pay for booking FL-7K2Q9D with my card ending 4242",
  "how much is a flight to Tokyo?",
  "book the flight, add insurance and pay",
  "I want to fly from Seattle to Honolulu on March 3",
  "do i have any trips booked?",
  "does my booking FL7K2Q9D include a bag?",
  // two places compared is a search, not advice from the rules
  "is Lisbon or Porto better for a weekend in June?",
  // "what is that" as the subject of a question, not a question of its own
  "what is that museum near the harbour called",
];

describe("the question form (isRulesQuestion)", () => {
  it.each(RULES)("reads a question about the rules: %s", (text) => {
    expect(isRulesQuestion(text)).toBe(true);
  });
  it.each(RULES_IN_OTHER_FORMS)("reads a question about the rules in another form: %s", (text) => {
    expect(isRulesQuestion(text)).toBe(true);
  });
  it.each(ACTIONS)("reads a request to act: %s", (text) => {
    expect(isRulesQuestion(text)).toBe(false);
  });
  it("tells a question asking leave or help from a how-to", () => {
    for (const text of [
      "may we carry a folding bike",
      "is it alright if my dog comes",
      "is there any help for deaf travellers",
      // whether a thing is let on board, said of the thing
      "are walking poles permitted in the cabin",
      "my nan has a rollator, is that allowed onboard",
      "is a folding scooter banned on planes",
    ])
      expect(asksLeave(text), text).toBe(true);
    for (const text of ["how do i change the language of my phone", "why is my fare so high"])
      expect(asksLeave(text), text).toBe(false);
  });
  it("is not fooled by information requests that have their own intent", () => {
    const weather = detectIntents("should i pack a raincoat for the weather in London?");
    expect(weather.intents).toContain("weather");
    expect(weather.intents).not.toContain("policy_faq");
  });
});

describe("intents of a rules question", () => {
  it.each(RULES)("a policy question and no action: %s", (text) => {
    const { intents } = detectIntents(text, extractSlots(text, NOW));
    expect(intents).toEqual(["policy_faq"]);
  });
  it.each([
    "my previous trip still has not added the miles to my balance",
    "our upcoming flight includes a bag fee, is that normal?",
  ])("a booking only mentioned beside a policy subject is no lookup: %s", (text) => {
    expect(detectIntents(text, extractSlots(text, NOW)).intents).toEqual(["policy_faq"]);
  });
  it("a booking asked to be shown is still looked up", () => {
    const text = "show my previous trip, did it earn miles?";
    expect(detectIntents(text, extractSlots(text, NOW)).intents).toContain("my_bookings");
  });
  it("a request to act keeps its actions", () => {
    const text = "book the flight from Seattle to Honolulu on March 3, add insurance and pay";
    const { intents } = detectIntents(text, extractSlots(text, NOW));
    expect(intents).toEqual(expect.arrayContaining(["book_flight", "insurance", "payment"]));
    expect(intents).not.toContain("policy_faq");
  });
});

describe("routing a rules question", () => {
  it("goes to support, confidently, whatever it mentions", async () => {
    const router = await SemanticRouter.create(new LocalEmbedder().load(), ROUTE_EXAMPLES);
    for (const text of RULES) {
      expect(ROUTE_EXAMPLES.map((e) => e.text.toLowerCase())).not.toContain(text.toLowerCase());
      const route = await router.route(text);
      expect({ text, plan: route.plan, confident: route.confident }).toEqual({
        text,
        plan: ["support"],
        confident: true,
      });
    }
    const booking = await router.route("find me a flight from Denver to Atlanta on Friday");
    expect(booking.plan).toEqual(["booking"]);
  });

  it("reads the text as its normalize option spells it before deciding it is a rules question", async () => {
    const text = "dose my card get charged extra when i book a flight";
    const raw = await SemanticRouter.create(new LocalEmbedder().load(), ROUTE_EXAMPLES);
    const spelled = await SemanticRouter.create(new LocalEmbedder().load(), ROUTE_EXAMPLES, {
      normalize: (t) => t.replace(/\bdose\b/g, "does"),
    });
    expect(isRulesQuestion(text)).toBe(false);
    expect((await raw.route(text)).plan).not.toEqual(["support"]);
    expect(await spelled.route(text)).toMatchObject({ plan: ["support"], confident: true });
  });
});
