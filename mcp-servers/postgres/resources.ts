/**
 * flightly-postgres resources and prompts: each readable table's schema
 * (`flightly://tables/{name}`) and each knowledge document (`flightly://knowledge/{slug}`), both
 * listed and completable, read through the run_query role; and the prompts `explore_table` and
 * `policy_lookup`, whose arguments complete from the same lists.
 */
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { suggest } from "../features.js";
import { describeTable, listTables, TABLE_NAME } from "./catalog.js";
import { type ReadOnlyTarget, withReadOnlyTransaction } from "./executor.js";

/** Knowledge documents listed as resources (the catalogue has far fewer). */
const MAX_LISTED_DOCUMENTS = 500;

interface DocumentRow {
  slug: string;
  title: string;
  kind: string;
  topic: string | null;
  city: string | null;
  body: string;
}

export function registerPostgresResources(
  server: McpServer,
  target: ReadOnlyTarget,
  timeoutMs: number,
): void {
  const tableNames = async (): Promise<string[]> => (await listTables(target, timeoutMs)).map((t) => t.name);
  const documents = (): Promise<Array<Omit<DocumentRow, "body" | "topic" | "city">>> =>
    withReadOnlyTransaction(target, timeoutMs, async (tx) => [
      ...(await tx<Array<{ slug: string; title: string; kind: string }>>`
        SELECT slug, title, kind FROM knowledge_documents ORDER BY slug LIMIT ${MAX_LISTED_DOCUMENTS}`),
    ]);
  const completeTable = async (value: string | undefined): Promise<string[]> =>
    suggest(await tableNames(), value);
  const completeSlug = async (value: string | undefined): Promise<string[]> =>
    suggest(
      (await documents()).map((d) => d.slug),
      value,
    );

  server.registerResource(
    "table_schema",
    new ResourceTemplate("flightly://tables/{name}", {
      list: async () => ({
        resources: (await listTables(target, timeoutMs)).map((t) => ({
          uri: `flightly://tables/${t.name}`,
          name: t.name,
          title: `Table ${t.name}`,
          ...(t.description ? { description: t.description } : {}),
          mimeType: "application/json",
        })),
      }),
      complete: { name: completeTable },
    }),
    {
      title: "Table schema",
      description: "Columns, keys, constraints, indexes and descriptions of a table that run_query can read",
      mimeType: "application/json",
    },
    async (uri, { name }) => {
      const table = String(name);
      const schema = TABLE_NAME.test(table) ? await describeTable(target, timeoutMs, table) : undefined;
      if (!schema) throw new McpError(ErrorCode.InvalidParams, `No readable table ${table}`);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(schema) }] };
    },
  );

  server.registerResource(
    "knowledge_document",
    new ResourceTemplate("flightly://knowledge/{slug}", {
      list: async () => ({
        resources: (await documents()).map((d) => ({
          uri: `flightly://knowledge/${d.slug}`,
          name: d.slug,
          title: d.title,
          description: `${d.kind}: ${d.title}`,
          mimeType: "text/markdown",
        })),
      }),
      complete: { slug: completeSlug },
    }),
    {
      title: "Knowledge document",
      description: "A travel policy, FAQ or destination guide from the knowledge base, as Markdown",
      mimeType: "text/markdown",
    },
    async (uri, { slug }) => {
      const key = String(slug);
      const [doc] = await withReadOnlyTransaction(target, timeoutMs, async (tx) => [
        ...(await tx<DocumentRow[]>`
          SELECT slug, title, kind, topic, city, body FROM knowledge_documents WHERE slug = ${key}`),
      ]);
      if (!doc) throw new McpError(ErrorCode.InvalidParams, `No knowledge document ${key}`);
      const about = [doc.kind, doc.topic, doc.city].filter(Boolean).join(" · ");
      return {
        contents: [
          { uri: uri.href, mimeType: "text/markdown", text: `# ${doc.title}\n\n_${about}_\n\n${doc.body}\n` },
        ],
      };
    },
  );

  server.registerPrompt(
    "explore_table",
    {
      title: "Explore a table",
      description: "Look at one catalogue table: its schema, a few sample rows and what it can answer",
      argsSchema: {
        table: completable(z.string().describe("A table that list_tables shows"), (value) =>
          completeTable(value),
        ),
      },
    },
    ({ table }) => ({
      description: `Explore the ${table} table`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              `Explore the Flightly table "${table}". First call get_table_schema for it, then run_query ` +
              `with a SELECT of at most 5 rows. Summarise what each column holds, how it relates to the other ` +
              "tables, and three questions this table can answer.",
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    "policy_lookup",
    {
      title: "Look up a travel policy",
      description: "Answer a question from one knowledge document, quoting it",
      argsSchema: {
        document: completable(
          z.string().describe("Slug of a knowledge document (flightly://knowledge/{slug})"),
          (value) => completeSlug(value),
        ),
        question: z.string().optional().describe("What the traveller wants to know"),
      },
    },
    ({ document, question }) => ({
      description: `Answer from knowledge document ${document}`,
      messages: [
        {
          role: "user",
          content: {
            type: "resource_link",
            uri: `flightly://knowledge/${document}`,
            name: document,
            mimeType: "text/markdown",
          },
        },
        {
          role: "user",
          content: {
            type: "text",
            text:
              `Read the knowledge document flightly://knowledge/${document} and answer ` +
              `${question ? `this question: ${question}` : "the traveller's question"}. Quote the sentence ` +
              "you rely on, and say so plainly when the document does not cover it.",
          },
        },
      ],
    }),
  );
}
