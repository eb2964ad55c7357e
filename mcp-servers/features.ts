/**
 * What both Flightly MCP servers share beyond tools: `serverInfo`, the capabilities they declare
 * (logging and completions; `listChanged: false`, since their tools, resources and prompts are
 * fixed for the life of a session), per-session log notifications that honour `logging/setLevel`,
 * progress notifications for a request that carries a progress token, and completion answers.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CompleteRequestSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { SERVER_VERSION, SERVER_WEBSITE } from "./tool-result.js";

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** `serverInfo` of a Flightly MCP server. */
export const serverInfo = (name: string, title: string) => ({
  name,
  title,
  version: SERVER_VERSION,
  ...(SERVER_WEBSITE ? { websiteUrl: SERVER_WEBSITE } : {}),
});

/** Declared before registration; `finishCapabilities` restores `listChanged: false` afterwards. */
export const SERVER_CAPABILITIES = { logging: {}, completions: {} } as const;

const SEVERITY = LoggingLevelSchema.options;

/** Log notifications for one session (one server instance), filtered by the level the client set. */
export interface SessionLog {
  /** Sends `data` as `notifications/message` unless it is below the session's level. */
  send(level: LoggingLevel, data: unknown, extra?: RequestExtra): Promise<void>;
}

/**
 * Call after every tool, resource and prompt is registered and before `connect`: McpServer
 * declares `listChanged: true` for each set it serves; these sets never change, so the servers
 * say so. It also answers completion for a reference the server does not have with no values
 * rather than an error, so a client probing arguments gets an empty list.
 */
export function finishCapabilities(server: McpServer, loggerName: string): SessionLog {
  const inner = server.server;
  const caps = (inner as unknown as { _capabilities: ServerCapabilities })._capabilities;
  inner.registerCapabilities({
    ...(caps.tools ? { tools: { listChanged: false } } : {}),
    ...(caps.resources ? { resources: { listChanged: false } } : {}),
    ...(caps.prompts ? { prompts: { listChanged: false } } : {}),
  });

  const complete = (inner as unknown as { _requestHandlers: Map<string, unknown> })._requestHandlers.get(
    "completion/complete",
  ) as ((request: unknown, extra: unknown) => Promise<unknown>) | undefined;
  inner.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const ref = request.params.ref;
    const known =
      ref.type === "ref/prompt"
        ? ref.name in (server as unknown as { _registeredPrompts: object })._registeredPrompts
        : true;
    if (!complete || !known) return { completion: { values: [], hasMore: false } };
    return (await complete(request, extra)) as { completion: { values: string[] } };
  });

  // One server per session: the level lives here, so filtering needs no session bookkeeping.
  let level: LoggingLevel | undefined;
  inner.setRequestHandler(SetLevelRequestSchema, async (request) => {
    level = request.params.level;
    return {};
  });
  return {
    async send(at, data, extra) {
      if (level !== undefined && SEVERITY.indexOf(at) < SEVERITY.indexOf(level)) return;
      const params = { level: at, logger: loggerName, data };
      try {
        // Within a request, the notification travels on that request's stream.
        if (extra) await extra.sendNotification({ method: "notifications/message", params });
        else await server.sendLoggingMessage(params);
      } catch {
        // A client that went away misses a log line; the call itself goes on.
      }
    },
  };
}

/** Progress reporting for one request: a no-op unless the client sent `_meta.progressToken`. */
export function progressOf(
  extra: RequestExtra,
  total: number,
): (progress: number, message: string) => Promise<void> {
  const token = extra._meta?.progressToken;
  return async (progress, message) => {
    if (token === undefined) return;
    try {
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress, total, message },
      });
    } catch {
      // Progress is advisory.
    }
  };
}

/** Up to `limit` completion values from `candidates` that start with (then contain) `typed`. */
export function suggest(candidates: readonly string[], typed: string | undefined, limit = 100): string[] {
  const needle = (typed ?? "").toLowerCase();
  const starts = candidates.filter((c) => c.toLowerCase().startsWith(needle));
  const contains = candidates.filter(
    (c) => !c.toLowerCase().startsWith(needle) && c.toLowerCase().includes(needle),
  );
  return [...starts, ...contains].slice(0, limit);
}
