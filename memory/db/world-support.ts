/**
 * The world's past support conversations: every customer has one to three; a third of them give a
 * contact email that differs from the profile email. Draws from the world's PRNG in a fixed order,
 * so the same seed gives the same history.
 */
import type { AirportRow, CustomerRow, SupportConversationRow } from "./world-types.js";

export function supportHistory(
  customers: readonly CustomerRow[],
  airports: readonly AirportRow[],
  day0: number,
  int: (lo: number, hi: number) => number,
  choice: <T>(xs: readonly T[]) => T,
): SupportConversationRow[] {
  const conversations: SupportConversationRow[] = [];
  let convId = 1;
  let msgId = 1;
  for (const c of customers) {
    const n = int(1, 3);
    for (let i = 0; i < n; i++) {
      const started = new Date(day0 - int(5, 400) * 86_400_000 - int(0, 86_000) * 1000);
      const givesEmail = i === 0 && c.id % 3 === 1;
      const altEmail = givesEmail
        ? `${c.name.split(" ")[0]!.toLowerCase()}.travel${c.id}@mailbox.example.org`
        : null;
      const script = givesEmail
        ? supportEmailScript(altEmail!, c)
        : choice(SUPPORT_SCRIPTS)(c, choice(airports.filter((a) => a.iata !== c.profile.home_airport)));
      const messages = script.lines.map((text, j) => ({
        id: msgId++,
        role: (j % 2 === 0 ? "customer" : "agent") as "customer" | "agent",
        content: text,
        created_at: new Date(started.getTime() + j * int(60, 900) * 1000),
      }));
      conversations.push({
        id: convId++,
        customer_id: c.id,
        subject: script.subject,
        started_at: started,
        messages,
        contact_email: altEmail,
      });
    }
  }
  return conversations;
}

interface Script {
  subject: string;
  lines: string[];
}

function supportEmailScript(email: string, c: CustomerRow): Script {
  return {
    subject: "Updating my contact email for travel notifications",
    lines: [
      `Hi, this is ${c.name}. I no longer check ${c.email} very often. For bookings and travel alerts please use ${email} from now on.`,
      `Thanks ${c.name.split(" ")[0]}, I've noted ${email} as your preferred contact for trip notifications. Your login email stays ${c.email}.`,
      "Perfect. Will my next booking confirmation go there too?",
      `Yes. When you book, mention this conversation and we'll send the confirmation and any schedule changes to ${email}.`,
    ],
  };
}

const SUPPORT_SCRIPTS: Array<(c: CustomerRow, a: AirportRow) => Script> = [
  (c, a) => ({
    subject: `Delayed bag after flight to ${a.city}`,
    lines: [
      `My checked bag didn't arrive in ${a.city} (${a.iata}). The tag ends in ${String(c.id).padStart(4, "0")}.`,
      "Sorry about that. I've opened a delayed-baggage file; bags are usually delivered within 48 hours. Keep receipts for essentials up to $50 a day.",
      "Okay, can you call me when it's found?",
      `We'll call ${c.phone} as soon as the bag is scanned at ${a.iata}.`,
    ],
  }),
  (c, a) => ({
    subject: `Seat request for family trip to ${a.city}`,
    lines: [
      `We're flying to ${a.city} as ${c.profile.family}. Can we sit together, ideally ${c.profile.seat} seats?`,
      "Family seating is free for children under 13 when booked together; I've added a note to seat you together.",
      "Great, thank you.",
      "You're welcome. Seat assignments appear in the app 72 hours before departure.",
    ],
  }),
  (_c, a) => ({
    subject: `Refund question for cancelled ${a.iata} trip`,
    lines: [
      `I cancelled my ${a.city} trip. When will the refund show up?`,
      "Card refunds take 5 to 10 business days after the cancellation is processed.",
      "And if I'd rather have travel credit?",
      "Credit is issued instantly and is valid for 12 months.",
    ],
  }),
  (c) => ({
    subject: "Wi-Fi purchase did not work",
    lines: [
      "I bought the full-flight Wi-Fi pass but it never connected.",
      `I've refunded the pass to the card ending ${c.card_last4}; it will appear within a few days.`,
      "Thanks.",
      "Anything else I can help with today?",
    ],
  }),
];
