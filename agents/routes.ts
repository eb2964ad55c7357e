/**
 * Labelled example requests for the semantic router: each maps to the plan of agents that
 * handles it, in order. Multi-step plans are first-class labels.
 */
import type { AgentName } from "./types.js";

export interface RouteExample {
  text: string;
  plan: AgentName[];
}

const support: string[] = [
  "What is the checked baggage allowance?",
  "How many bags can I bring on board?",
  "Can I bring my dog in the cabin?",
  "What is your cancellation policy?",
  "How long do refunds take to arrive?",
  "When does online check-in open?",
  "Is there Wi-Fi on the plane and how much is it?",
  "Do I need a visa to visit Japan?",
  "What happens if my flight is delayed?",
  "How do Flightly Miles work?",
  "What does travel insurance cover?",
  "What will the weather be like in Honolulu next week?",
  "Is it going to rain in Tokyo?",
  "What should we do in Maui with kids?",
  "Which neighbourhood should we stay in in Paris?",
  "When is the best time to visit Bali?",
  "What email did I give your support team?",
  "What did support tell me about my delayed bag?",
  "Can you find my last support conversation?",
  "Are there any weather alerts for Miami?",
  "How early should I get to the airport?",
  "Can I pick my seat for free?",
];
const booking: string[] = [
  "Find flights from Seattle to Tokyo in June",
  "Search flights from Las Vegas to Honolulu next Friday",
  "Show me the cheapest flight to Maui",
  "Book the cheapest one but not Island Air",
  "Book me on that flight",
  "Reserve two seats on the first flight",
  "I want to fly from LAX to JFK on March 3",
  "Are there flights to Paris under $800?",
  "What about hotels there?",
  "Find a family-friendly hotel in Honolulu under $300 a night",
  "Hotels in Tokyo for three nights",
  "Any flights to Sydney next month?",
  "Book a flight for two adults and two kids to Orlando",
  "Confirm my booking",
  "Hold seats on the morning flight",
];
const payment: string[] = [
  "Pay for my booking",
  "Charge my card on file for booking FL-7K2Q9D",
  "Add travel insurance to my booking",
  "How much is insurance for my trip?",
  "Cancel booking FL-AB12CD and refund me",
  "What is the status of my booking?",
  "Show me my bookings",
  "Did my payment go through?",
  "I want to cancel my flight",
  "Use my card ending 4242 to pay",
];
const supportBookingPayment: string[] = [
  "Book my flight with the email from the support chat, add insurance and pay",
  "Use the contact email I gave support, book the flight, insure it and charge my card",
  "Find the email from my support conversation, then book and pay for the flight with insurance",
];
const bookingPayment: string[] = [
  "Book that flight, add travel insurance and pay with my card on file",
  "Reserve the flight and charge my card",
  "Book it and pay now",
];
const supportBooking: string[] = [
  "Book the flight and send the confirmation to the email I gave support",
  "Use the email from my support conversation for this booking",
];

export const ROUTE_EXAMPLES: readonly RouteExample[] = [
  ...support.map((text) => ({ text, plan: ["support"] as AgentName[] })),
  ...booking.map((text) => ({ text, plan: ["booking"] as AgentName[] })),
  ...payment.map((text) => ({ text, plan: ["payment"] as AgentName[] })),
  ...supportBookingPayment.map((text) => ({ text, plan: ["support", "booking", "payment"] as AgentName[] })),
  ...bookingPayment.map((text) => ({ text, plan: ["booking", "payment"] as AgentName[] })),
  ...supportBooking.map((text) => ({ text, plan: ["support", "booking"] as AgentName[] })),
];
