/**
 * `get_airline_info`: an airline by name or two-letter IATA code: Flightly's own carriers from the
 * airlines table (with how many routes they fly), any other real carrier from the reference list
 * (named, and said not to be sold here).
 */
import { z } from "zod";
import { defaultGazetteer, referenceCarrier } from "../language/index.js";
import type { ToolCachePolicy } from "./cache.js";
import type { ToolDeps } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool } from "./types.js";

export const airlineInfoInput = z.object({
  airline: z
    .string()
    .trim()
    .min(2)
    .max(80)
    .describe("The airline's name or its two-letter IATA code (e.g. PC, UA, Delta)"),
});
export type AirlineInfoInput = z.output<typeof airlineInfoInput>;

/** Airlines change rarely: a day, shared by everyone. */
const airlineInfoCachePolicy: ToolCachePolicy<AirlineInfoInput> = {
  ttlMs: 24 * 60 * 60_000,
  scope: "global",
};

function airlineInfoTool(deps: Pick<ToolDeps, "sql">): Tool<AirlineInfoInput> {
  return {
    name: "get_airline_info",
    description:
      "An airline by name or two-letter IATA code: its full name and code, whether Flightly sells " +
      "its flights and, for Flightly's carriers, how many routes they fly. Use it when the customer " +
      "asks what an airline code stands for or about an airline.",
    input: airlineInfoInput,
    sideEffect: false,
    async run(input) {
      const known = defaultGazetteer().airline(input.airline);
      const code = known?.code ?? (/^[A-Za-z0-9]{2}$/.test(input.airline) ? input.airline.toUpperCase() : "");
      const [row] = await deps.sql<{ code: string; name: string; routes: number }[]>`
        SELECT a.code, a.name,
          (SELECT count(*)::int FROM (SELECT DISTINCT origin, destination FROM flights f
             WHERE f.airline = a.code) r) AS routes
        FROM airlines a WHERE a.code = ${code}`;
      if (row) return ok({ code: row.code, name: row.name, sold: true, routes: row.routes });
      const other = referenceCarrier(input.airline);
      if (other)
        return ok({
          code: other.code,
          name: other.name,
          sold: false,
          active: other.active,
          note: `Flightly does not sell ${other.name} flights`,
        });
      return fail(`no airline known as ${input.airline}`);
    },
  };
}

export const airlineInfo = defineTool({
  name: "get_airline_info",
  answers: "destination",
  cache: airlineInfoCachePolicy,
  create: airlineInfoTool,
});
