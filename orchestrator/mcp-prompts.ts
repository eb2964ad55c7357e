/**
 * The orchestrator MCP server's prompts, resources and argument completion: `plan_trip` (places
 * complete from the gazetteer's airports: city, airport name or IATA code), `policy_lookup`
 * (topics of the shipped policy documents) and the policy documents themselves as resources
 * (`flightly://policies/{slug}`). One `completion/complete` handler serves them all; a reference
 * it has no suggestions for gets an empty list.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CompleteRequestSchema,
  type CompleteResult,
  ErrorCode,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { DATA } from "../core/paths.js";
import { defaultGazetteer, nameKey } from "../language/index.js";

/** The spec's cap on values in one completion result. */
const MAX_VALUES = 100;

type Completer = (value: string) => string[];

/** Places whose city, airport name, alias or code starts with `value`: cities first, then `City (IATA)`. */
function completePlace(value: string): string[] {
  const key = nameKey(value);
  const code = value.trim().toUpperCase();
  const cities = new Set<string>();
  const airports: string[] = [];
  for (const a of defaultGazetteer().airports) {
    if (key === "" || nameKey(a.city).startsWith(key)) cities.add(a.city);
    if (
      key !== "" &&
      (a.iata.startsWith(code) || [a.name, ...a.aliases].some((n) => nameKey(n).startsWith(key)))
    ) {
      airports.push(`${a.city} (${a.iata})`);
    }
  }
  return [...[...cities].sort(), ...airports.sort()].filter((v, i, all) => all.indexOf(v) === i);
}

const policySchema = z.array(
  z.object({ slug: z.string(), title: z.string(), topic: z.string(), body: z.string() }),
);
type Policy = z.infer<typeof policySchema>[number];
let policies: Policy[] | undefined;
/** The policy documents shipped in `data/knowledge/policies.json`, read once. */
function shippedPolicies(): Policy[] {
  policies ??= policySchema.parse(JSON.parse(readFileSync(join(DATA, "knowledge", "policies.json"), "utf8")));
  return policies;
}

function completeTopic(value: string): string[] {
  const key = value.trim().toLowerCase();
  return [...new Set(shippedPolicies().map((p) => p.topic))].sort().filter((t) => t.startsWith(key));
}

const completeSlug: Completer = (value) =>
  shippedPolicies()
    .map((p) => p.slug)
    .filter((slug) => slug.startsWith(value.trim().toLowerCase()));

const POLICY_TEMPLATE = "flightly://policies/{slug}";

const COMPLETERS: Record<string, Record<string, Completer>> = {
  plan_trip: { destination: completePlace, origin: completePlace },
  policy_lookup: { topic: completeTopic },
  [POLICY_TEMPLATE]: { slug: completeSlug },
};

const userText = (text: string) => ({
  messages: [{ role: "user" as const, content: { type: "text" as const, text } }],
});

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    "plan_trip",
    {
      title: "Plan a trip",
      description:
        "Plan a trip with Flightly's agents: flights, a hotel and what to know before going. " +
        "Places complete from Flightly's airports.",
      argsSchema: {
        destination: z.string().min(1).describe("where to go (a city or airport)"),
        origin: z
          .string()
          .optional()
          .describe("where from (a city or airport); your home airport if omitted"),
        dates: z.string().optional().describe('when, in plain words ("the first week of May")'),
        travellers: z.string().optional().describe('who travels ("two adults and a 7-year-old")'),
      },
    },
    ({ destination, origin, dates, travellers }) =>
      userText(
        [
          `Plan a trip to ${destination}${origin ? ` from ${origin}` : ""}${dates ? `, ${dates}` : ""}.`,
          travellers ? `Travellers: ${travellers}.` : "",
          "Find flights and a hotel that fit what you know of my preferences, and tell me what I should " +
            "know before going (entry requirements, weather, baggage).",
        ]
          .filter(Boolean)
          .join(" "),
      ),
  );

  server.registerPrompt(
    "policy_lookup",
    {
      title: "Look up a policy",
      description:
        "Ask what Flightly's policy says on a topic (baggage, cancellation, refunds, pets...), optionally " +
        "with a specific question. Topics complete.",
      argsSchema: {
        topic: z.string().min(1).describe("the policy topic, e.g. baggage or refunds"),
        question: z.string().optional().describe("a specific question about it"),
      },
    },
    ({ topic, question }) =>
      userText(
        question
          ? `About Flightly's ${topic} policy: ${question}`
          : `What does Flightly's ${topic} policy say? Summarise the rules, fees and deadlines.`,
      ),
  );

  server.registerResource(
    "policy",
    new ResourceTemplate(POLICY_TEMPLATE, {
      list: () => ({
        resources: shippedPolicies().map((p) => ({
          uri: `flightly://policies/${p.slug}`,
          name: p.slug,
          title: p.title,
          description: `Flightly ${p.topic} policy: ${p.title}`,
          mimeType: "text/markdown",
        })),
      }),
    }),
    {
      title: "Flightly policy",
      description: "A policy document as shipped with this version (baggage, cancellation, refunds...)",
      mimeType: "text/markdown",
    },
    (uri, { slug }) => {
      const policy = shippedPolicies().find((p) => p.slug === slug);
      if (!policy) throw new McpError(ErrorCode.InvalidParams, `no policy ${String(slug)}`);
      return {
        contents: [
          { uri: uri.href, mimeType: "text/markdown", text: `# ${policy.title}\n\n${policy.body}\n` },
        ],
      };
    },
  );

  server.server.registerCapabilities({ completions: {} });
  server.server.setRequestHandler(CompleteRequestSchema, async (request): Promise<CompleteResult> => {
    const { ref, argument } = request.params;
    const completer = COMPLETERS[ref.type === "ref/prompt" ? ref.name : ref.uri]?.[argument.name];
    const values = completer ? completer(argument.value) : [];
    return {
      completion: {
        values: values.slice(0, MAX_VALUES),
        total: values.length,
        hasMore: values.length > MAX_VALUES,
      },
    };
  });
}
