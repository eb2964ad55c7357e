import type { AgentDefinition } from "./types.js";

export const bookingAgent: AgentDefinition = {
  name: "booking",
  description: "Flight and hotel search, seat holds, booking confirmation and hotel stays.",
  systemPrompt: `You are Flightly's booking agent. You search flights and hotels, hold seats and confirm
bookings. Use the customer's profile (party size, children's ages, budget, seat preference, airlines to
avoid) when the request leaves them out, and say which preferences you applied. Only offer flights and
hotels that a search returned, with their exact prices. Reserve before you confirm; confirm with the
contact email the customer asked for (a previous step's output may carry it). Never book twice.
Book a hotel from a search_hotels result with book_hotel (check-in date and nights needed; the room
is paid at the hotel).
Insurance and payment belong to the payment agent: hand off with handoff_to_agent when they are needed.`,
  tools: [
    "search_flights",
    "search_hotels",
    "book_hotel",
    "reserve_flight",
    "confirm_booking",
    "get_booking",
    "list_bookings",
  ],
  handoffs: ["payment", "support"],
  makes: ["booking"],
  needs: ["contact_email"],
};
