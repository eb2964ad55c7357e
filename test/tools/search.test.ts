/**
 * The read tools against the fixture world: flight and hotel filters, guide and policy search
 * (pgvector, and Bedrock Knowledge Base Retrieve through the real SDK against a local server
 * speaking its wire protocol), and the actor's own support history.
 */

import { createServer, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { LocalEmbedder } from "../../memory/embeddings/local.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { TOOL_DEFINITIONS } from "../../tools/registry.js";
import { HashEmbedder } from "../support/hash-embedder.js";
import { ALICE, BOB, D, D_NEXT, errorOf, GUEST, type Harness, json, openHarness } from "./fixture.js";

interface Flight {
  flight_id: string;
  airline: string;
  airline_code: string;
  flight_number: string;
  origin: string;
  destination: string;
  depart_at: string;
  arrive_at: string;
  price_usd: number;
  seats_available: number;
}
type Flights = { flights: Flight[]; count: number };

/** The semantic tools must work with the shipped local embedder, not only the test one. */
const embedders: [string, () => Embedder][] = [
  ["hashed bag of words", () => new HashEmbedder(64)],
  ["local embedder", () => new LocalEmbedder().load()],
];

describe.each(embedders)("read tools (%s)", (_name, makeEmbedder) => {
  let h: Harness;
  const search = async (input: Record<string, unknown>): Promise<Flights> =>
    json<Flights>(
      await h.call("search_flights", { origin: "SEA", destination: "NRT", ...input }, h.ctx(ALICE)),
    );

  beforeAll(async () => {
    h = await openHarness({ embedder: makeEmbedder() });
  });
  afterAll(async () => {
    await h.close();
  });

  it("offers every tool to the model as a JSON-schema object with the documented field names", () => {
    const fields = (name: string): string[] =>
      Object.keys(
        (z.toJSONSchema(h.tools[name]!.input, { io: "input" }) as { properties: object }).properties,
      );
    expect(fields("search_flights").sort()).toEqual(
      [
        "origin",
        "destination",
        "date",
        "date_from",
        "date_to",
        "passengers",
        "max_price_usd",
        "avoid_airlines",
        "airline",
        "depart_after",
        "depart_before",
        "arrive_after",
        "arrive_before",
        "return_date",
        "sort",
        "limit",
        "max_stops",
      ].sort(),
    );
    expect(fields("search_hotels").sort()).toEqual(
      ["city", "check_in", "nights", "guests", "max_price_per_night_usd", "family_friendly", "limit"].sort(),
    );
    expect(fields("reserve_flight").sort()).toEqual([
      "connecting_flight_id",
      "contact_email",
      "flight_id",
      "passengers",
    ]);
    expect(fields("book_hotel").sort()).toEqual(["check_in", "guests", "hotel_id", "nights"]);
    expect(fields("process_payment").sort()).toEqual(["booking_ref", "card"]);
    expect(fields("cancel_booking").sort()).toEqual(["booking_ref", "reason"]);
    for (const tool of Object.values(h.tools)) {
      const schema = z.toJSONSchema(tool.input, { io: "input" }) as { type: string };
      expect(schema.type, tool.name).toBe("object");
      expect(tool.name).toMatch(/^[a-z_]{1,64}$/);
      expect(tool.description.length, tool.name).toBeGreaterThan(60);
    }
    // Every registered tool is built, under its registered name.
    expect(Object.keys(h.tools).sort()).toEqual(TOOL_DEFINITIONS.map((d) => d.name).sort());
  });

  it("search_flights: one local date, cheapest first, in the documented shape", async () => {
    const res = await search({ date: D });
    expect(res.count).toBe(3);
    expect(res.flights.map((f) => f.flight_number)).toEqual(["IA202", "PC101", "SB303"]);
    expect(res.flights[0]).toEqual({
      flight_id: "2",
      airline: "Island Air",
      airline_code: "IA",
      flight_number: "IA202",
      origin: "SEA",
      destination: "NRT",
      depart_at: `${D}T18:00:00.000Z`,
      arrive_at: expect.any(String),
      price_usd: 700,
      seats_available: 50,
    });
  });

  it("search_flights: filters passengers, price, airlines (names or codes), and sorts", async () => {
    expect((await search({ date: D, passengers: 3 })).flights.map((f) => f.flight_number)).toEqual([
      "IA202",
      "PC101",
    ]);
    expect((await search({ date: D, max_price_usd: 850 })).flights.map((f) => f.flight_number)).toEqual([
      "IA202",
      "PC101",
    ]);
    expect(
      (await search({ date: D, avoid_airlines: ["island air", "sb"] })).flights.map((f) => f.flight_number),
    ).toEqual(["PC101"]);
    expect((await search({ date: D, airline: "pacific crest" })).flights.map((f) => f.flight_number)).toEqual(
      ["PC101"],
    );
    expect((await search({ date: D, sort: "departure" })).flights.map((f) => f.flight_number)).toEqual([
      "IA202",
      "PC101",
      "SB303",
    ]);
    expect(
      (await search({ date: D, sort: "duration", limit: 1 })).flights.map((f) => f.flight_number),
    ).toEqual(["SB303"]);
    expect((await search({ date_from: D, date_to: D_NEXT })).count).toBe(4);
    // Without dates: every upcoming flight, never the one that already left.
    expect((await search({ limit: 20 })).flights.map((f) => f.flight_number)).not.toContain("PC500");
    expect((await search({ origin: "sea", destination: "nrt", date: D })).count).toBe(3);
  });

  it("search_flights: departure and arrival windows in local time of day", async () => {
    const all = (await search({ date: D, sort: "departure" })).flights;
    const local = (iso: string, tz: string): string =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(iso));
    const departs = all.map((f) => local(f.depart_at, "America/Los_Angeles"));
    const cut = departs[1]!;
    const numbers = (flights: typeof all) => flights.map((f) => f.flight_number);
    expect(numbers((await search({ date: D, sort: "departure", depart_after: cut })).flights)).toEqual(
      numbers(all.filter((_, i) => departs[i]! >= cut)),
    );
    expect(numbers((await search({ date: D, sort: "departure", depart_before: cut })).flights)).toEqual(
      numbers(all.filter((_, i) => departs[i]! <= cut)),
    );
    const arrives = all.map((f) => local(f.arrive_at, "Asia/Tokyo"));
    const by = [...arrives].sort()[0]!;
    expect(numbers((await search({ date: D, sort: "departure", arrive_before: by })).flights)).toEqual(
      numbers(all.filter((_, i) => arrives[i]! <= by)),
    );
    expect(
      errorOf(
        await h.call(
          "search_flights",
          { origin: "SEA", destination: "NRT", depart_after: "9am" },
          h.ctx(ALICE),
        ),
      ),
    ).toMatch(/HH:MM/);
  });

  it("search_flights: a return date also lists the flights back, with the outbound's filters", async () => {
    const trip = json<Flights & { return_flights?: Flight[] }>(
      await h.call(
        "search_flights",
        { origin: "NRT", destination: "SEA", date: D, return_date: D_NEXT, max_price_usd: 900 },
        h.ctx(ALICE),
      ),
    );
    expect(trip.flights).toEqual([]);
    expect(trip.return_flights?.map((f) => f.flight_number)).toEqual(["PC102"]);
    const capped = json<Flights & { return_flights?: Flight[] }>(
      await h.call(
        "search_flights",
        { origin: "NRT", destination: "SEA", date: D, return_date: D_NEXT, max_price_usd: 700 },
        h.ctx(ALICE),
      ),
    );
    expect(capped.return_flights).toEqual([]);
    expect((await search({ date: D })).flights.length).toBe(3);
    expect("return_flights" in (await search({ date: D }))).toBe(false);
    expect(
      errorOf(
        await h.call(
          "search_flights",
          { origin: "SEA", destination: "NRT", date: D_NEXT, return_date: D },
          h.ctx(ALICE),
        ),
      ),
    ).toMatch(/return_date is before/);
  });

  it("search_flights: sold-out flights are hidden; bad requests fail clearly", async () => {
    const lax = json<Flights>(
      await h.call("search_flights", { origin: "LAX", destination: "HNL", date: D }, h.ctx(GUEST)),
    );
    expect(lax.flights.map((f) => f.flight_number)).toEqual(["IA602"]);
    expect(
      errorOf(await h.call("search_flights", { origin: "SEA", destination: "XXX" }, h.ctx(ALICE))),
    ).toMatch(/unknown airport code XXX/);
    expect(
      errorOf(await h.call("search_flights", { origin: "SEA", destination: "SEA" }, h.ctx(ALICE))),
    ).toMatch(/same airport/);
    expect(
      errorOf(
        await h.call("search_flights", { origin: "SEA", destination: "NRT", date: "Dec 3" }, h.ctx(ALICE)),
      ),
    ).toMatch(/invalid input/);
  });

  it("search_hotels: by city name or code, family-friendly, budget, with totals for a stay", async () => {
    type Hotels = {
      hotels: { name: string; price_per_night_usd: number; total_usd?: number; family_friendly: boolean }[];
    };
    const byName = json<Hotels>(await h.call("search_hotels", { city: "honolulu" }, h.ctx(GUEST)));
    expect(byName.hotels.map((x) => x.name)).toEqual([
      "Lagoon Family Resort Honolulu",
      "Harbor Business Hotel Honolulu",
      "Palm Budget Inn Honolulu",
    ]);
    const family = json<Hotels>(
      await h.call(
        "search_hotels",
        { city: "HNL", family_friendly: true, max_price_per_night_usd: 200, nights: 4 },
        h.ctx(GUEST),
      ),
    );
    expect(family.hotels).toEqual([
      expect.objectContaining({ name: "Palm Budget Inn Honolulu", price_per_night_usd: 90, total_usd: 360 }),
    ]);
  });

  it("get_destination_info: the guide passage that answers the question", async () => {
    type Results = { results: { title: string; city: string; excerpt: string; similarity: number }[] };
    const res = json<Results>(
      await h.call("get_destination_info", { query: "calm beach for children in Honolulu" }, h.ctx(GUEST)),
    );
    expect(res.results[0]?.title).toBe("Honolulu for families");
    expect(res.results[0]?.excerpt).toMatch(/Waikiki Beach has calm water for children/);
    expect(res.results[0]?.similarity).toBeGreaterThan(res.results[1]?.similarity ?? 1);
    const tokyo = json<Results>(
      await h.call("get_destination_info", { query: "food", city: "NRT" }, h.ctx(GUEST)),
    );
    expect(tokyo.results.map((r) => r.city)).toEqual(["Tokyo"]);
  });

  it("search_knowledge_base: policies and FAQs from pgvector without a knowledge base id", async () => {
    type Results = { results: { title: string; kind: string; source: string; excerpt: string }[] };
    const res = json<Results>(
      await h.call("search_knowledge_base", { query: "refund if I cancel my booking" }, h.ctx(GUEST)),
    );
    expect(res.results[0]).toMatchObject({ title: "Refunds and cancellations", kind: "policy" });
    expect(res.results[0]?.source).toBe("knowledge_documents/refund-policy");
    expect(res.results.every((r) => r.kind !== "guide")).toBe(true);
    const pets = json<Results>(
      await h.call("search_knowledge_base", { query: "fly with my dog" }, h.ctx(GUEST)),
    );
    expect(pets.results[0]).toMatchObject({ kind: "faq", title: "Can I fly with my pet?" });
  });

  it("find_support_conversation: the actor's own conversations with the contact details in them", async () => {
    type Found = {
      conversations: {
        conversation_id: string;
        subject: string;
        emails: string[];
        phones: string[];
        summary: string;
      }[];
    };
    const alice = json<Found>(
      await h.call(
        "find_support_conversation",
        { query: "contact email for travel notifications" },
        h.ctx(ALICE),
      ),
    );
    expect(alice.conversations[0]).toMatchObject({
      conversation_id: "1",
      emails: ["alice.travel@mailbox.example.org", "alice@example.com"],
    });
    const bag = alice.conversations.find((c) => c.conversation_id === "2");
    // Not the card number typed in the same conversation, which the summary masks.
    expect(bag?.phones).toEqual(["+1-555-201-3344"]);
    expect(bag?.summary).toContain("[CARD ****4242]");
    expect(JSON.stringify(alice)).not.toMatch(/4242 4242/);
    expect(alice.conversations.every((c) => c.conversation_id !== "3")).toBe(true);

    // Bob asks about Alice's conversation in Alice's words: he only ever sees his own.
    const bob = json<Found>(
      await h.call(
        "find_support_conversation",
        { query: "alice.travel@mailbox.example.org contact email" },
        h.ctx(BOB),
      ),
    );
    expect(bob.conversations.map((c) => c.conversation_id)).toEqual(["3"]);
    expect(JSON.stringify(bob)).not.toContain("alice");
    expect(errorOf(await h.call("find_support_conversation", { query: "email" }, h.ctx(GUEST)))).toMatch(
      /sign in/,
    );
  });
});

describe("search_knowledge_base with a Bedrock Knowledge Base", () => {
  let h: Harness;
  let server: Http2Server;
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  let failing = false;

  beforeAll(async () => {
    // The agent-runtime client speaks HTTP/2 (cleartext against a local endpoint).
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        requests.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString() || "{}") });
        if (failing) {
          res.writeHead(500, {
            "content-type": "application/json",
            "x-amzn-errortype": "InternalServerException",
          });
          res.end(JSON.stringify({ message: "boom" }));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            retrievalResults: [
              {
                content: {
                  type: "TEXT",
                  text: "Checked bags: one bag up to 23 kg is included on every fare.",
                },
                location: { type: "S3", s3Location: { uri: "s3://flightly-kb/policies/baggage.md" } },
                score: 0.8123,
                metadata: { title: "Checked baggage", kind: "policy" },
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = "AKIDTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "test-secret";
    h = await openHarness({ env: { KNOWLEDGE_BASE_ID: "KB12345678" } });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => server.close(r));
  });

  it("retrieves through the real SDK with the configured id and result count", async () => {
    const res = json(
      await h.call("search_knowledge_base", { query: "how many bags can I check" }, h.ctx(GUEST)),
    );

    expect(res).toEqual({
      results: [
        {
          title: "Checked baggage",
          kind: "policy",
          excerpt: "Checked bags: one bag up to 23 kg is included on every fare.",
          similarity: 0.812,
          source: "s3://flightly-kb/policies/baggage.md",
        },
      ],
    });
    expect(requests.at(-1)).toEqual({
      path: "/knowledgebases/KB12345678/retrieve",
      body: {
        retrievalQuery: { text: "how many bags can I check" },
        retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 4 } },
      },
    });
  });

  it("answers from pgvector when the knowledge base fails", async () => {
    failing = true;
    const res = json<{ results: { source: string }[] }>(
      await h.call("search_knowledge_base", { query: "second checked bag fee" }, h.ctx(GUEST)),
    );
    failing = false;
    expect(res.results[0]?.source).toBe("knowledge_documents/baggage-policy");
    expect(h.logs.some((l) => l.includes("knowledge base retrieve failed"))).toBe(true);
  });
});
