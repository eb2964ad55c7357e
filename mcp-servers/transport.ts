/**
 * Serving an MCP server: over stdio (one client, the parent process) or over Streamable HTTP at
 * `/mcp` with stateful sessions keyed by `Mcp-Session-Id` — one server instance per session,
 * made by the factory. HTTP answers only requests whose Host (and Origin, when sent) is a loopback
 * name, which defeats DNS rebinding; sessions idle past a limit are closed; `close()` ends them all.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable, Writable } from "node:stream";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../core/logger.js";

export interface McpStdioHandle {
  /** Settles when the client goes away (stdin ends) or `close()` is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Serves `server` on stdin/stdout (tests may pass their own streams). Nothing else may write to stdout. */
export async function runStdio(
  server: McpServer,
  streams: { stdin?: Readable; stdout?: Writable } = {},
): Promise<McpStdioHandle> {
  const stdin = streams.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, streams.stdout ?? process.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= server
      .close()
      .catch(() => {})
      .finally(() => resolveClosed());
    return closing;
  };
  server.server.onclose = () => resolveClosed();
  stdin.once("end", () => void close());
  await server.connect(transport);
  return { closed, close };
}

export interface McpHttpOptions {
  logger?: Logger;
  /** Host names accepted in `Host` and `Origin` (default: localhost, 127.0.0.1, [::1]; `*`: any). */
  allowedHosts?: readonly string[];
  /** A session with no request for this long is closed (default 30 minutes). */
  sessionIdleMs?: number;
  /** Concurrent sessions; more get 503 (default 100). */
  maxSessions?: number;
  /** Largest accepted request body (default 4 MiB). */
  maxBodyBytes?: number;
}

export interface McpHttpHandle {
  /** `http://host:port/mcp`. */
  readonly url: string;
  readonly port: number;
  sessionCount(): number;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

function sendError(res: ServerResponse, status: number, rpcCode: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: rpcCode, message }, id: null }));
}

function hostnameOf(value: string | undefined, withScheme: boolean): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, -32000, `Request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, -32700, "Parse error: the body is not JSON");
  }
}

const isInitialize = (body: unknown): boolean =>
  Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);

/**
 * Serves a fresh server from `createMcpServer` per session on `host:port` (port 0 picks a free one).
 * POST /mcp without a session must be `initialize`; other requests need a known `Mcp-Session-Id`
 * (400 when missing, 404 when unknown or ended, as the MCP spec asks so clients re-initialise).
 */
export async function runHttp(
  createMcpServer: () => McpServer,
  port: number,
  host = "127.0.0.1",
  options: McpHttpOptions = {},
): Promise<McpHttpHandle> {
  const allowed = new Set((options.allowedHosts ?? LOOPBACK).map((h) => h.toLowerCase()));
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 100;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const logger = options.logger;
  const sessions = new Map<string, Session>();

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    if (sessions.size >= maxSessions)
      throw new HttpError(503, -32000, "Too many MCP sessions; try again later");
    const server = createMcpServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: Date.now() });
        logger?.debug({ sessionId: id }, "MCP session opened");
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.delete(id)) logger?.debug({ sessionId: id }, "MCP session closed");
      void server.close().catch(() => {});
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!transport.sessionId) await transport.close();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = hostnameOf(req.headers.host, false);
    const any = allowed.has("*");
    if (!host || (!any && !allowed.has(host)))
      throw new HttpError(403, -32000, "Forbidden: Host not allowed");
    const origin = req.headers.origin;
    if (origin !== undefined && !any && !allowed.has(hostnameOf(origin, true) ?? "")) {
      throw new HttpError(403, -32000, "Forbidden: Origin not allowed");
    }
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/mcp") throw new HttpError(404, -32000, "Not found: the MCP endpoint is /mcp");
    if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
      res.setHeader("allow", "GET, POST, DELETE");
      throw new HttpError(405, -32000, "Method not allowed");
    }
    const header = req.headers["mcp-session-id"];
    const sessionId = typeof header === "string" ? header : undefined;
    if (sessionId === undefined) {
      if (req.method !== "POST")
        throw new HttpError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
      const body = await readJson(req, maxBodyBytes);
      if (!isInitialize(body)) {
        throw new HttpError(400, -32000, "Bad Request: no Mcp-Session-Id; a session starts with initialize");
      }
      await openSession(req, res, body);
      return;
    }
    const session = sessions.get(sessionId);
    if (!session)
      throw new HttpError(404, -32001, "Session not found: it ended or never existed; initialize again");
    session.lastSeen = Date.now();
    await session.transport.handleRequest(req, res);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendError(res, err.status, err.rpcCode, err.message);
        return;
      }
      logger?.error({ err }, "MCP HTTP request failed");
      sendError(res, 500, -32603, "Internal server error");
    });
  });

  const sweeper = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, s] of sessions) {
        if (s.lastSeen < cutoff) {
          logger?.info({ sessionId: id }, "closing idle MCP session");
          void s.transport.close().catch(() => {});
        }
      }
    },
    Math.max(1_000, Math.min(60_000, Math.floor(idleMs / 2))),
  );
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const bound = (http.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${bound}/mcp`;
  logger?.info({ url }, "MCP server listening (Streamable HTTP)");

  let closing: Promise<void> | undefined;
  return {
    url,
    port: bound,
    sessionCount: () => sessions.size,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        await Promise.all([...sessions.values()].map((s) => s.transport.close().catch(() => {})));
        sessions.clear();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
