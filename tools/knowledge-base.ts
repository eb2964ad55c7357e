/**
 * `search_knowledge_base`: Flightly policies and FAQs. With `KNOWLEDGE_BASE_ID` set, a Bedrock
 * Knowledge Base `Retrieve` call (the only place the agent-runtime SDK is imported); otherwise, or
 * when Bedrock fails, hybrid search (full text and pgvector, fused by rank) over
 * `knowledge_documents` of kind policy / faq.
 */
import type {
  BedrockAgentRuntimeClient,
  KnowledgeBaseRetrievalResult,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { z } from "zod";
import { helpCentre } from "../memory/help-centre.js";
import { searchKnowledge } from "../memory/knowledge.js";
import type { ToolCachePolicy } from "./cache.js";
import { excerpt, round3, type ToolDeps } from "./common.js";
import { defineTool, hitsOf } from "./definition.js";
import { ok, type Tool, type ToolContext } from "./types.js";

export const knowledgeBaseInput = z.object({
  query: z.string().trim().min(2).max(500).describe("The policy or FAQ question, in the customer's words"),
});
export type KnowledgeBaseInput = z.output<typeof knowledgeBaseInput>;

/** Tag of every cached knowledge search: a changed policy document drops them all. */
export const KNOWLEDGE_TAG = "knowledge:policies";

const knowledgeBaseCachePolicy: ToolCachePolicy<KnowledgeBaseInput> = {
  ttlMs: 60 * 60_000,
  scope: "global",
  tags: () => [KNOWLEDGE_TAG],
};

const RESULTS = 4;

type Result = {
  title: string;
  kind: string;
  /** The document's subject ("baggage", "refunds"), when the help centre's database gives one. */
  topic?: string;
  /** General words for the document's subject, when the help centre's database gives them. */
  keywords?: string;
  excerpt: string;
  similarity: number;
  source: string;
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

function fromBedrock(r: KnowledgeBaseRetrievalResult, query: string): Result {
  const meta = (r.metadata ?? {}) as Record<string, unknown>;
  const loc = r.location;
  const source =
    loc?.s3Location?.uri ??
    loc?.webLocation?.url ??
    loc?.confluenceLocation?.url ??
    loc?.salesforceLocation?.url ??
    loc?.sharePointLocation?.url ??
    loc?.customDocumentLocation?.id ??
    str(meta["x-amz-bedrock-kb-source-uri"]) ??
    "bedrock-knowledge-base";
  const title =
    str(meta.title) ??
    source
      .split("/")
      .pop()
      ?.replace(/\.[a-z]+$/i, "") ??
    "Flightly policy";
  return {
    title,
    kind: str(meta.kind) ?? "policy",
    excerpt: excerpt(r.content?.text ?? "", query, 600),
    similarity: round3(r.score ?? 0),
    source,
  };
}

function knowledgeBaseTool(
  deps: Pick<ToolDeps, "sql" | "embedder" | "config" | "logger">,
): Tool<KnowledgeBaseInput> {
  const { sql, embedder, config, logger } = deps;
  let client: BedrockAgentRuntimeClient | undefined;

  const viaDatabase = async (asked: string, ctx: ToolContext): Promise<Result[]> => {
    // In the documents' own terms: chat shorthand written out, misspellings corrected, the
    // countries of named places, the age classes of children named by age and the documents'
    // nearest words to words they never use.
    const query = helpCentre().searchText(asked);
    const hits = await searchKnowledge(sql, embedder, query, {
      kinds: ["policy", "faq"],
      limit: RESULTS,
      signal: ctx.signal,
    });
    return hits.map((r) => ({
      title: r.title,
      kind: r.kind,
      ...(r.topic ? { topic: r.topic } : {}),
      ...(r.keywords ? { keywords: r.keywords } : {}),
      excerpt: excerpt(r.body, query, 600),
      similarity: round3(r.similarity),
      source: `knowledge_documents/${r.slug}`,
    }));
  };

  const viaBedrock = async (knowledgeBaseId: string, query: string, ctx: ToolContext): Promise<Result[]> => {
    // The SDK loads with the first Retrieve: without a knowledge base it is never loaded.
    const { BedrockAgentRuntimeClient, RetrieveCommand } = await import(
      "@aws-sdk/client-bedrock-agent-runtime"
    );
    client ??= new BedrockAgentRuntimeClient({ region: config.awsRegion });
    const out = await client.send(
      new RetrieveCommand({
        knowledgeBaseId,
        retrievalQuery: { text: query },
        retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: RESULTS } },
      }),
      { abortSignal: ctx.signal },
    );
    return (out.retrievalResults ?? []).map((r) => fromBedrock(r, query));
  };

  return {
    name: "search_knowledge_base",
    description:
      "Search Flightly's policies and FAQs: baggage, check-in, cancellations and refunds, travel " +
      "insurance, pets, loyalty, seats, delays, Wi-Fi, visas. Returns the best matching passages with " +
      "their title, source and a similarity score (0-1). Quote the policy; never invent one.",
    input: knowledgeBaseInput,
    sideEffect: false,
    async run(input, ctx) {
      const kb = config.knowledgeBaseId;
      if (kb) {
        try {
          return ok({ results: await viaBedrock(kb, input.query, ctx) });
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          logger.warn(
            { err: { name: (err as Error).name, message: (err as Error).message } },
            "knowledge base retrieve failed; answering from pgvector",
          );
        }
      }
      return ok({ results: await viaDatabase(input.query, ctx) });
    },
  };
}

export const knowledgeBase = defineTool({
  name: "search_knowledge_base",
  answers: "policy",
  cache: knowledgeBaseCachePolicy,
  // The best document found: the rest, the excerpts and the scores follow the wording.
  freeText: { fields: ["query"], found: (r) => hitsOf(r, "results")[0]?.source ?? null },
  create: knowledgeBaseTool,
});
