/**
 * `find_support_conversation`: semantic search over the signed-in customer's own support
 * messages, grouped by conversation, with the contact details mentioned in them.
 */
import { z } from "zod";
import { redactText } from "../core/redact.js";
import { toVector } from "../memory/db/vector.js";
import type { ToolCachePolicy } from "./cache.js";
import { isResult, round3, signedInCustomer, type ToolDeps } from "./common.js";
import { defineTool, hitsOf } from "./definition.js";
import { ok, type Tool } from "./types.js";

export const supportConversationInput = z.object({
  query: z
    .string()
    .trim()
    .min(2)
    .max(500)
    .describe("What the conversation was about, e.g. 'the email I gave for travel notifications'"),
});
export type SupportConversationInput = z.output<typeof supportConversationInput>;

/** Personal data: one entry per actor. */
const supportConversationCachePolicy: ToolCachePolicy<SupportConversationInput> = {
  ttlMs: 5 * 60_000,
  scope: "actor",
};

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Phone numbers written with separators (`+1-555-123-4567`, `(206) 555-0100`), looked for after card numbers are masked. */
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]\d{3,4}[\s.-]\d{3,4}\b/g;

interface Row {
  conversation_id: string;
  subject: string;
  started_at: Date;
  role: "customer" | "agent";
  content: string;
  similarity: number;
}

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;

/** Distinct matches in order of first appearance, case-insensitively. */
function distinct(texts: string[], pattern: RegExp): string[] {
  const seen = new Map<string, string>();
  for (const t of texts) {
    for (const m of t.matchAll(pattern)) {
      const v = m[0].replace(/[.,;:]+$/, "");
      if (!seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
    }
  }
  return [...seen.values()];
}

function supportConversationTool(deps: Pick<ToolDeps, "sql" | "embedder">): Tool<SupportConversationInput> {
  const { sql, embedder } = deps;
  return {
    name: "find_support_conversation",
    description:
      "Find the signed-in customer's own past support conversations by meaning (e.g. 'contact email " +
      "I gave', 'delayed bag'). Returns the best matching conversations with subject, date, a short " +
      "summary, and the email addresses and phone numbers mentioned in them; emails that differ from " +
      "the customer's profile email come first. Requires a signed-in customer.",
    input: supportConversationInput,
    sideEffect: false,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const [vector] = await embedder.embed([input.query], { signal: ctx.signal });
      const v = toVector(vector!);
      // A customer has a handful of conversations: score every one of their messages exactly.
      const rows = await sql<Row[]>`
        SELECT c.id::text AS conversation_id, c.subject, c.started_at, m.role, m.content,
               (1 - (m.embedding <=> ${v}::vector))::float8 AS similarity
        FROM support_conversations c
        JOIN support_messages m ON m.conversation_id = c.id
        WHERE c.customer_id = ${customer.id}
        ORDER BY c.started_at DESC, m.created_at, m.id`;
      const groups = new Map<string, Row[]>();
      for (const r of rows) {
        const g = groups.get(r.conversation_id);
        if (g) g.push(r);
        else groups.set(r.conversation_id, [r]);
      }
      const profileEmail = customer.email.toLowerCase();
      const conversations = [...groups.values()]
        .map((messages) => {
          const first = messages[0]!;
          // Card numbers a customer typed are masked before anything is extracted or summarised.
          const texts = messages.map((m) => redactText(m.content));
          const emails = distinct(texts, EMAIL);
          const opener = texts[messages.findIndex((m) => m.role === "customer")] ?? "";
          const answer = texts[messages.findLastIndex((m) => m.role === "agent")] ?? "";
          return {
            conversation_id: first.conversation_id,
            started_at: first.started_at.toISOString(),
            subject: first.subject,
            summary: clip(`Customer: ${clip(opener, 220)} Agent: ${clip(answer, 220)}`, 460),
            emails: [
              ...emails.filter((e) => e.toLowerCase() !== profileEmail),
              ...emails.filter((e) => e.toLowerCase() === profileEmail),
            ],
            phones: distinct(texts, PHONE),
            similarity: round3(Math.max(...messages.map((m) => m.similarity))),
          };
        })
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 3);
      return ok({ conversations, profile_email: customer.email });
    },
  };
}

export const supportConversation = defineTool({
  name: "find_support_conversation",
  answers: "personal",
  cache: supportConversationCachePolicy,
  // The best conversation found and what it holds (the rest and the scores follow the wording).
  freeText: {
    fields: ["query"],
    found: (r) => {
      const { similarity: _score, ...best } = hitsOf(r, "conversations")[0] ?? {};
      return [best, r.profile_email ?? null];
    },
  },
  // The contact email the customer gave support, for the booking step.
  // The contact email a later step uses: the best match's, else the first another conversation
  // gives that differs from the profile's (the one the customer asked support to use).
  outputs: (result) => {
    const conversations = Array.isArray(result.conversations) ? result.conversations : [];
    const emails = conversations.map((c) =>
      c && typeof c === "object" && !Array.isArray(c) && Array.isArray(c.emails)
        ? c.emails.filter((e): e is string => typeof e === "string")
        : [],
    );
    const profile = typeof result.profile_email === "string" ? result.profile_email.toLowerCase() : "";
    const email =
      emails.flat().find((e) => e.toLowerCase() !== profile) ?? emails.find((list) => list.length > 0)?.[0];
    return email ? { contact_email: email } : {};
  },
  create: supportConversationTool,
});
