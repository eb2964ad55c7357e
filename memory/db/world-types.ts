/** The rows of the deterministic Flightly world (`world.ts` generates them, `seed.ts` writes them). */
export interface AirportRow {
  iata: string;
  name: string;
  city: string;
  country: string;
  lat: number;
  lon: number;
  tz: string;
  aliases?: string[];
}
export interface AirlineRow {
  code: string;
  name: string;
  hubs: string[];
}
export interface FlightRow {
  id: number;
  airline: string;
  flight_number: string;
  origin: string;
  destination: string;
  depart_at: Date;
  arrive_at: Date;
  price_cents: number;
  seats_total: number;
  seats_available: number;
}
export interface HotelRow {
  id: number;
  name: string;
  iata: string;
  city: string;
  stars: number;
  price_per_night_cents: number;
  rating: number;
  family_friendly: boolean;
  amenities: string[];
}
export interface CustomerRow {
  id: number;
  name: string;
  email: string;
  phone: string;
  profile: CustomerProfile;
  card_last4: string;
}
export interface CustomerProfile {
  home_airport: string;
  adults: number;
  children_ages: number[];
  family: string;
  budget_per_night_usd: number;
  seat: "window" | "aisle";
  avoid_airlines: string[];
  preferred_airline: string | null;
  loyalty_tier: "blue" | "silver" | "gold";
}
export interface SupportConversationRow {
  id: number;
  customer_id: number;
  subject: string;
  started_at: Date;
  messages: { id: number; role: "customer" | "agent"; content: string; created_at: Date }[];
  /** A contact email given in the conversation that differs from the profile email. */
  contact_email: string | null;
}
export interface KnowledgeDoc {
  slug: string;
  title: string;
  kind: "policy" | "faq" | "guide";
  topic: string | null;
  /** General words a customer uses for the subject, comma-separated ("" for none). */
  keywords: string;
  city: string | null;
  iata: string | null;
  body: string;
}
export interface World {
  anchor: Date;
  airports: AirportRow[];
  airlines: AirlineRow[];
  flights: FlightRow[];
  hotels: HotelRow[];
  customers: CustomerRow[];
  conversations: SupportConversationRow[];
  documents: KnowledgeDoc[];
}

/** mulberry32: small, fast, deterministic. */
