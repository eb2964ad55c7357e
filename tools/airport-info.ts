/** `get_airport_info`: an airport by its IATA code: name, city, country, local time zone. */
import { z } from "zod";
import type { ToolCachePolicy } from "./cache.js";
import { iata, type ToolDeps } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool } from "./types.js";

export const airportInfoInput = z.object({ code: iata("The") });
export type AirportInfoInput = z.output<typeof airportInfoInput>;

/** Airports change rarely: a day, shared by everyone. */
const airportInfoCachePolicy: ToolCachePolicy<AirportInfoInput> = {
  ttlMs: 24 * 60 * 60_000,
  scope: "global",
};

function airportInfoTool(deps: Pick<ToolDeps, "sql">): Tool<AirportInfoInput> {
  return {
    name: "get_airport_info",
    description:
      "An airport by its 3-letter IATA code: its name, city, country and local time zone. " +
      "Use it when the customer asks which airport a code is, or what time zone it is in.",
    input: airportInfoInput,
    sideEffect: false,
    async run(input) {
      const [row] = await deps.sql<
        { iata: string; name: string; city: string; country: string; timezone: string }[]
      >`
        SELECT iata, name, city, country, timezone FROM airports WHERE iata = ${input.code}`;
      return row ? ok({ ...row }) : fail(`no airport with code ${input.code} in Flightly's network`);
    },
  };
}

export const airportInfo = defineTool({
  name: "get_airport_info",
  answers: "destination",
  cache: airportInfoCachePolicy,
  create: airportInfoTool,
});
