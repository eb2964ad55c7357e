import { describe, expect, it } from "vitest";
import { extractSlots } from "../../language/index.js";
import { detectIntents, type Intent } from "../../orchestrator/models/local/index.js";

const NOW = new Date("2026-05-13T10:00:00Z");

const CASES: Array<{ text: string; intents: Intent[]; negated?: Intent[] }> = [
  {
    text: "Add travel insurance before you book my flight, and use the email from our support conversation",
    intents: ["support_history", "book_flight", "insurance", "payment"],
  },
  {
    text: "Flights from Vegas to Maui next month for two adults and kids aged 4 and 8",
    intents: ["flight_search"],
  },
  { text: "SEA to NRT on March 3", intents: ["flight_search"] },
  // Insuring said as a verb first, or protection by name alone; paying for or insuring the flight
  // searched for books it first.
  { text: "insure then reserve Phoenix to Seattle on March 8", intents: ["book_flight", "insurance"] },
  {
    text: "charge my card for a Boston to Miami flight on April 2 and add protection",
    intents: ["book_flight", "insurance", "payment"],
  },
  {
    text: "put me on the earliest Dallas to Denver flight May 9 and charge my saved card",
    intents: ["book_flight", "payment"],
  },
  // Getting from an airport into its own city is ground transport, not a flight.
  { text: "quickest way to go from LAX to Santa Monica?", intents: ["ground_transport"] },
  { text: "heading from Haneda into town after we land", intents: ["ground_transport"] },
  // Personal questions about what was booked and about the customer's own record.
  { text: "what have we reserved lately", intents: ["my_bookings"] },
  { text: "do we have any stays booked", intents: ["my_bookings"] },
  { text: "am I platinum yet", intents: ["profile"] },
  { text: "which email have you got on record for me", intents: ["profile"] },
  // The balance of the customer's own miles is their account's; how miles work is a policy.
  { text: "what is our points balance", intents: ["profile"] },
  { text: "how many flightly miles have we collected so far", intents: ["profile"] },
  { text: "my points never showed up after the Denver trip", intents: ["policy_faq"] },
  // Told with nothing asked or requested, it is all the message is about: no search for "fly".
  { text: "we always fly out of Newark", intents: ["profile"] },
  // Visa the card is no visa question; the travel document still is.
  { text: "charge the Denver stay to my Visa ending 1881", intents: ["payment"] },
  { text: "is a visa needed for Vietnam", intents: ["policy_faq"] },
  // Cover asked for by that name; a past flight with Flightly asked about; bookings held.
  { text: "reserve the cheapest and get us cover too", intents: ["book_flight", "insurance"] },
  { text: "have we ever flown with you before?", intents: ["my_bookings"] },
  { text: "what trips have we got", intents: ["my_bookings"] },
  // Moving a booking to another day asks the rules for changing (no booking is changed in place).
  { text: "could you push my trip to the 3rd of May", intents: ["policy_faq"] },
  { text: "switch FL-Q2W3E4 to next friday please", intents: ["policy_faq"] },
  // Cancelling in other words, said of the booking.
  { text: "please scrub that reservation", intents: ["cancel_booking"] },
  { text: "nah, ditch the stay in Lisbon", intents: ["cancel_booking"] },
  { text: "can you drop me near the terminal", intents: ["other"] },
  // "cancel that" / "them" points at what was just booked.
  { text: "ok, cancel that", intents: ["cancel_booking"] },
  // The clipped "temps" is a weather word.
  { text: "what sort of temps does Denver get in late April", intents: ["weather"] },
  // A question about paying is no order to book.
  {
    text: "what do flights from Dallas to Denver cost in May, and can I pay by PayPal?",
    intents: ["flight_search"],
  },
  { text: "book the cheapest, but not Island Air", intents: ["book_flight"] },
  { text: "what about hotels there?", intents: ["hotel_search"] },
  { text: "Honolulu or Maui for a family with kids?", intents: ["destination_advice"] },
  { text: "What's your baggage policy?", intents: ["policy_faq"] },
  { text: "Can I cancel my booking for free?", intents: ["policy_faq"] },
  { text: "Cancel my booking FL-7K2Q9D", intents: ["cancel_booking"] },
  { text: "Where is my booking FL-ABC123?", intents: ["my_bookings"] },
  { text: "show me my bookings", intents: ["my_bookings"] },
  { text: "What's the weather in Maui next week?", intents: ["weather"] },
  { text: "what did support tell me about my refund?", intents: ["support_history", "policy_faq"] },
  { text: "Does travel insurance cover missed connections?", intents: ["policy_faq"] },
  { text: "Can you add travel insurance to FL-7K2Q9D?", intents: ["insurance"] },
  { text: "pay for FL-7K2Q9D with my card on file", intents: ["payment"] },
  { text: "I don't want insurance, just book it", intents: ["book_flight"], negated: ["insurance"] },
  { text: "Do not charge my card yet", intents: ["other"], negated: ["payment"] },
  { text: "Find me a hotel in Tokyo under $200 a night", intents: ["hotel_search"] },
  { text: "book a hotel in Paris", intents: ["hotel_search"] },
  { text: "hi", intents: ["greeting"] },
  { text: "Hello, I need flights from SEA to NRT", intents: ["flight_search"] },
  { text: "Tell me a joke", intents: ["other"] },
  { text: "My flight was cancelled, what are my options?", intents: ["policy_faq"] },
  { text: "show my cancelled bookings", intents: ["my_bookings"] },
  { text: "What can we do in Tokyo with kids?", intents: ["destination_advice"] },
  { text: "How much does it cost to check a bag?", intents: ["policy_faq"] },
  { text: "Tell me what the agent said last time I called", intents: ["support_history"] },
  { text: "Do I need a visa for Japan?", intents: ["policy_faq"] },
  { text: "Is my flight FL-7K2Q9D confirmed?", intents: ["my_bookings"] },
  { text: "what's the refund if I cancel FL-7K2Q9D?", intents: ["policy_faq"] },
  { text: "find the cheapest flight to Maui from Seattle and book it", intents: ["book_flight"] },
];

describe("detectIntents", () => {
  it.each(CASES)("$text", ({ text, intents, negated }) => {
    const result = detectIntents(text, extractSlots(text, NOW));
    expect(result.intents).toEqual(intents);
    for (const n of negated ?? []) expect(result.negated).toContain(n);
  });

  it("reads what a support conversation was about as its subject, not as things to do", () => {
    const asked = (text: string) => detectIntents(text, extractSlots(text, NOW)).intents;
    expect(asked("open my support thread regarding the double charge and refund to my card")).toEqual([
      "support_history",
    ]);
    // A later sentence is a request of its own.
    expect(asked("open my support thread regarding the double charge. Then cancel FL-QW12ER")).toEqual([
      "support_history",
      "cancel_booking",
    ]);
  });

  it("returns intents in working order: look up, then book, then pay", () => {
    const { intents } = detectIntents(
      "pay and add insurance, then book my flight, and check what support said",
    );
    expect(intents.indexOf("support_history")).toBeLessThan(intents.indexOf("book_flight"));
    expect(intents.indexOf("book_flight")).toBeLessThan(intents.indexOf("insurance"));
    expect(intents.indexOf("insurance")).toBeLessThan(intents.indexOf("payment"));
  });
});
