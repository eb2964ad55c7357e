/** `get_destination_info`: semantic search over the destination guides (pgvector cosine). */
import { z } from "zod";
import { toVector } from "../memory/db/vector.js";
import type { ToolCachePolicy } from "./cache.js";
import { excerpt, round3, type ToolDeps } from "./common.js";
import { defineTool, hitsOf } from "./definition.js";
import { ok, type Tool } from "./types.js";

export const destinationInfoInput = z.object({
  query: z.string().trim().min(2).max(500).describe("What the traveller wants to know, in their words"),
  city: z.string().trim().min(2).max(80).optional().describe("Limit to one city (name or IATA code)"),
});
export type DestinationInfoInput = z.output<typeof destinationInfoInput>;

/** Tag of every cached destination search: a changed guide drops them all. */
export const GUIDES_TAG = "knowledge:guides";

const destinationInfoCachePolicy: ToolCachePolicy<DestinationInfoInput> = {
  ttlMs: 60 * 60_000,
  scope: "global",
  tags: () => [GUIDES_TAG],
};

interface Row {
  title: string;
  city: string | null;
  body: string;
  similarity: number;
}

function destinationInfoTool(deps: Pick<ToolDeps, "sql" | "embedder">): Tool<DestinationInfoInput> {
  const { sql, embedder } = deps;
  return {
    name: "get_destination_info",
    description:
      "Destination guide search: neighbourhoods, family activities, beaches, food, getting around, " +
      "best time to visit. Give the question as `query` and optionally a `city`. Returns the best " +
      "matching guide passages with a similarity score (0-1); answer only from them.",
    input: destinationInfoInput,
    sideEffect: false,
    async run(input, ctx) {
      const [vector] = await embedder.embed([input.query], { signal: ctx.signal });
      const v = toVector(vector!);
      const city = input.city?.toLowerCase();
      const rows = await sql<Row[]>`
        SELECT title, city, body, (1 - (embedding <=> ${v}::vector))::float8 AS similarity
        FROM knowledge_documents
        WHERE kind = 'guide'
          ${city ? sql`AND (lower(city) = ${city} OR lower(iata) = ${city})` : sql``}
        ORDER BY embedding <=> ${v}::vector
        LIMIT 3`;
      return ok({
        results: rows.map((r) => ({
          title: r.title,
          city: r.city,
          excerpt: excerpt(r.body, input.query),
          similarity: round3(r.similarity),
        })),
        ...(rows.length === 0 && input.city ? { note: `no destination guide for ${input.city}` } : {}),
      });
    },
  };
}

export const destinationInfo = defineTool({
  name: "get_destination_info",
  answers: "destination",
  cache: destinationInfoCachePolicy,
  // The best guide found (the rest, the excerpts and the scores follow the wording), or the note of none.
  freeText: {
    fields: ["query"],
    found: (r) => {
      const best = hitsOf(r, "results")[0];
      return best ? [best.title ?? null, best.city ?? null] : (r.note ?? null);
    },
  },
  create: destinationInfoTool,
});
