/**
 * `get_ground_transport`: getting between an airport and its city (trains, buses, taxis,
 * rideshares, shuttles, rental cars), as the destination guides of that airport say it: their
 * sentences about getting around, quoted, never made up.
 */
import { z } from "zod";
import type { ToolCachePolicy } from "./cache.js";
import { iata, type ToolDeps } from "./common.js";
import { defineTool } from "./definition.js";
import { GUIDES_TAG } from "./destination-info.js";
import { ok, type Tool } from "./types.js";

export const groundTransportInput = z.object({ airport: iata("The city's") });
export type GroundTransportInput = z.output<typeof groundTransportInput>;

const groundTransportCachePolicy: ToolCachePolicy<GroundTransportInput> = {
  ttlMs: 60 * 60_000,
  scope: "global",
  tags: () => [GUIDES_TAG],
};

/** Words of a sentence about getting between the airport and town. */
const TRANSPORT =
  /\b(?:airport|terminal|trains?|rail|metro|subway|underground|tram|light rail|bus(?:es)?|coach|shuttles?|taxis?|cabs?|rideshares?|uber|lyft|transfers?|ferr(?:y|ies)|express|rental car|car rental|drive|minutes? (?:from|to|by))\b/i;
const MAX_SENTENCES = 4;

/** The sentences of a guide about ground transport, in their order. */
function transportSentences(body: string): string[] {
  return body
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => TRANSPORT.test(s));
}

function groundTransportTool(deps: Pick<ToolDeps, "sql">): Tool<GroundTransportInput> {
  return {
    name: "get_ground_transport",
    description:
      "Ground transport between an airport and its city (train, bus, taxi, rideshare, shuttle, " +
      "rental car) from Flightly's destination guides, by the airport's IATA code. Returns the " +
      "guides' sentences about it; an empty list means the guides say nothing about it.",
    input: groundTransportInput,
    sideEffect: false,
    async run(input) {
      const rows = await deps.sql<{ title: string; city: string | null; body: string }[]>`
        SELECT title, city, body FROM knowledge_documents
        WHERE kind = 'guide' AND upper(iata) = ${input.airport}
        ORDER BY slug`;
      const sentences = rows.flatMap((r) => transportSentences(r.body)).slice(0, MAX_SENTENCES);
      return ok({
        airport: input.airport,
        city: rows[0]?.city ?? null,
        sentences,
        sources: rows.map((r) => r.title),
        ...(sentences.length === 0 ? { note: `no ground transport details for ${input.airport}` } : {}),
      });
    },
  };
}

export const groundTransport = defineTool({
  name: "get_ground_transport",
  answers: "destination",
  cache: groundTransportCachePolicy,
  create: groundTransportTool,
});
