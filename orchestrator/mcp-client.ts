/**
 * The orchestrator as an MCP client: keeps a connection per configured server (stdio, Streamable
 * HTTP, or in-process), discovers tools with `tools/list`, exposes them namespaced
 * (`weather__get_forecast`) as ordinary tools, applies a per-call timeout and cancellation,
 * reconnects with backoff after a server dies, and follows `tools/list_changed`.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Logger } from "../core/logger.js";
import { mcpToolName } from "../mcp-servers/names.js";
import type { Tool, ToolResult } from "../tools/types.js";
import type { JsonValue } from "./models/types.js";

export type McpServerSpec = {
  /** Namespace of its tools: `<name>__<tool>`. */
  name: string;
  timeoutMs?: number;
} & (
  | { kind: "stdio"; command: string; args: string[]; env?: Record<string, string> }
  | { kind: "http"; url: string }
  | { kind: "memory"; create: () => McpServer }
);

interface Connection {
  spec: McpServerSpec;
  client: Client | undefined;
  toolNames: string[];
  attempts: number;
  timer: NodeJS.Timeout | undefined;
}

const looseInput = z.looseObject({});
/** Time a server gets to start and answer `initialize` / `tools/list`. */
const CONNECT_TIMEOUT_MS = 10_000;

function textOf(result: object): string {
  const content = (result as { content?: unknown }).content;
  const parts = Array.isArray(content) ? content : [];
  return parts
    .map((p: { type?: string; text?: string }) => (p.type === "text" ? (p.text ?? "") : ""))
    .join("\n")
    .trim();
}

export class McpClientManager {
  readonly #connections = new Map<string, Connection>();
  #closed = false;

  /** `tools` is shared with the orchestrator; this manager adds and removes its own entries. */
  constructor(
    specs: readonly McpServerSpec[],
    private readonly tools: Map<string, Tool<unknown>>,
    private readonly logger: Logger,
  ) {
    for (const spec of specs) {
      this.#connections.set(spec.name, {
        spec,
        client: undefined,
        toolNames: [],
        attempts: 0,
        timer: undefined,
      });
    }
  }

  /** Connects every server; a server that fails to start keeps retrying in the background. */
  async start(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => this.#connect(c)));
  }

  connected(name: string): boolean {
    return this.#connections.get(name)?.client !== undefined;
  }

  /** The stdio and HTTP transports load only when a server is configured on them. */
  async #transport(spec: McpServerSpec): Promise<Transport> {
    switch (spec.kind) {
      case "stdio": {
        const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
        const transport = new StdioClientTransport({
          command: spec.command,
          args: spec.args,
          stderr: "pipe",
          ...(spec.env ? { env: spec.env } : {}),
        });
        // The child's stderr must be read: a full pipe blocks its (synchronous) log writes, and
        // with them the whole server. Its lines go to our log at debug level.
        transport.stderr?.on("data", (chunk: Buffer) => {
          this.logger.debug(
            { server: spec.name, stderr: String(chunk).slice(0, 2_000) },
            "MCP server stderr",
          );
        });
        return transport;
      }
      case "http": {
        const { StreamableHTTPClientTransport } = await import(
          "@modelcontextprotocol/sdk/client/streamableHttp.js"
        );
        return new StreamableHTTPClientTransport(new URL(spec.url));
      }
      case "memory": {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        void spec.create().connect(serverSide);
        return clientSide;
      }
    }
  }

  async #connect(c: Connection): Promise<void> {
    if (this.#closed) return;
    const client = new Client({ name: "flightly-orchestrator", version: "0.1.0" });
    const transport = await this.#transport(c.spec);
    try {
      // Starting a server (a stdio child boots Node) may take longer than a short call limit.
      await client.connect(transport, { timeout: Math.max(c.spec.timeoutMs ?? 0, CONNECT_TIMEOUT_MS) });
      client.onclose = () => this.#lost(c, client);
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        void this.#discover(c, client).catch((err) =>
          this.logger.warn({ err, server: c.spec.name }, "tools/list failed"),
        );
      });
      c.client = client;
      c.attempts = 0;
      await this.#discover(c, client);
      this.logger.info({ server: c.spec.name, tools: c.toolNames }, "MCP server connected");
    } catch (err) {
      this.logger.warn({ err, server: c.spec.name }, "MCP server connection failed");
      await client.close().catch(() => {});
      this.#schedule(c);
    }
  }

  #lost(c: Connection, client: Client): void {
    if (c.client !== client) return;
    c.client = undefined;
    if (!this.#closed) {
      this.logger.warn({ server: c.spec.name }, "MCP server connection lost; reconnecting");
      this.#schedule(c);
    }
  }

  #recycle(c: Connection, client: Client): void {
    if (c.client !== client || this.#closed) return;
    this.logger.warn({ server: c.spec.name }, "MCP server did not answer in time; reconnecting");
    c.client = undefined;
    void client.close().catch(() => {});
    this.#schedule(c);
  }

  #schedule(c: Connection): void {
    if (this.#closed || c.timer) return;
    const delay = Math.min(100 * 2 ** c.attempts++, 5_000);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      void this.#connect(c);
    }, delay);
    c.timer.unref();
  }

  async #discover(c: Connection, client: Client): Promise<void> {
    const { tools } = await client.listTools(undefined, {
      timeout: Math.max(c.spec.timeoutMs ?? 0, CONNECT_TIMEOUT_MS),
    });
    for (const old of c.toolNames) this.tools.delete(old);
    c.toolNames = [];
    for (const t of tools) {
      const name = mcpToolName(c.spec.name, t.name);
      c.toolNames.push(name);
      this.tools.set(
        name,
        this.#asTool(c, t.name, name, t.description ?? "", t.inputSchema, t.annotations?.readOnlyHint),
      );
    }
  }

  #asTool(
    c: Connection,
    remote: string,
    name: string,
    description: string,
    inputSchema: Record<string, unknown>,
    readOnly: boolean | undefined,
  ): Tool<unknown> {
    let input: z.ZodType = looseInput;
    try {
      input = z.fromJSONSchema(inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch {
      // Validation falls to the server; the model still sees the server's schema.
    }
    return {
      name,
      description,
      input,
      inputSchema,
      // MCP's default for readOnlyHint is false: a tool that does not say it only reads may change data.
      sideEffect: readOnly !== true,
      run: async (args, ctx): Promise<ToolResult> => {
        const client = c.client;
        if (!client)
          return { status: "error", error: `the ${c.spec.name} server is reconnecting; try again shortly` };
        const limit = c.spec.timeoutMs ?? 15_000;
        const timeout = Math.max(1, Math.min(limit, ctx.deadline - Date.now()));
        try {
          const result = await client.callTool(
            { name: remote, arguments: args as Record<string, unknown> },
            undefined,
            {
              timeout,
              signal: ctx.signal,
            },
          );
          const text = textOf(result);
          if (result.isError) return { status: "error", error: text || `${name} failed` };
          const structured = (result as { structuredContent?: unknown }).structuredContent;
          if (structured !== undefined) return { status: "success", json: structured as JsonValue };
          try {
            return { status: "success", json: JSON.parse(text) as JsonValue };
          } catch {
            return { status: "success", json: { text } };
          }
        } catch (err) {
          // A server silent for its whole time limit is hung (stopped, deadlocked, a full pipe):
          // start a fresh connection (a stdio child is killed and started again).
          if (err instanceof McpError && err.code === ErrorCode.RequestTimeout && timeout === limit) {
            this.#recycle(c, client);
          }
          return {
            status: "error",
            error: `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
          };
        }
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#connections.values()) {
      if (c.timer) clearTimeout(c.timer);
      const client = c.client;
      c.client = undefined;
      await client?.close().catch(() => {});
      for (const t of c.toolNames) this.tools.delete(t);
    }
  }
}
