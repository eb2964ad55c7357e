/**
 * `flightly serve --protocol mcp`: the orchestrator as a stateless Streamable HTTP MCP server at
 * `/mcp` (AgentCore's MCP protocol). Each POST gets a fresh server and transport; the
 * `Mcp-Session-Id` AgentCore adds is accepted and echoed, and the session of the `ask` tool is the
 * tool's own `session_id`.
 */
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance } from "fastify";
import { isFlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { createOrchestratorMcpServer } from "../mcp-server.js";
import type { App } from "./app.js";
import type { Authenticator } from "./auth.js";

export interface McpRoutesOptions {
  app: () => App | undefined;
  logger: Logger;
  authenticate: Authenticator | undefined;
  /** The actor when auth is off. */
  localActorId: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const loopbackOrigin = (origin: string): boolean => {
  try {
    return LOOPBACK.has(new URL(origin).hostname.toLowerCase());
  } catch {
    return false;
  }
};

export function mcpRoutes(o: McpRoutesOptions): (http: FastifyInstance) => void {
  return (http) => {
    http.post("/mcp", async (req, reply) => {
      const app = o.app();
      if (!app) {
        return reply
          .status(503)
          .send({ jsonrpc: "2.0", error: { code: -32000, message: "Flightly is starting up" }, id: null });
      }
      let actorId = o.localActorId;
      // Without auth, a browser page must not drive the local actor's agent (DNS rebinding):
      // browsers always send Origin on a POST, MCP clients that are not browsers never do.
      const origin = req.headers.origin;
      if (!o.authenticate && origin !== undefined && !loopbackOrigin(origin)) {
        return reply.status(403).send({
          jsonrpc: "2.0",
          error: { code: -32000, message: "Forbidden: Origin not allowed" },
          id: null,
        });
      }
      if (o.authenticate) {
        try {
          actorId = (await o.authenticate(req.headers.authorization)).actorId;
        } catch (err) {
          // RFC 6750 §3 (and the MCP authorization spec): a 401 names the scheme to use.
          if (isFlightlyError(err) && err.code === "UNAUTHORIZED") {
            reply.header(
              "www-authenticate",
              req.headers.authorization ? 'Bearer error="invalid_token"' : "Bearer",
            );
          }
          throw err;
        }
      }
      const server = createOrchestratorMcpServer({
        orchestrator: app.orchestrator,
        memory: app.memory,
        logger: o.logger,
        actorId: () => actorId,
      });
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true }); // no sessionIdGenerator: stateless;
      reply.hijack();
      reply.raw.on("close", () => {
        void transport.close();
        void server.close();
      });
      const sessionId = req.headers["mcp-session-id"];
      if (typeof sessionId === "string") reply.raw.setHeader("mcp-session-id", sessionId);
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    });
    const notAllowed = (_req: unknown, reply: { status: (n: number) => { send: (b: unknown) => unknown } }) =>
      reply
        .status(405)
        .send({ jsonrpc: "2.0", error: { code: -32000, message: "method not allowed" }, id: null });
    http.get("/mcp", notAllowed);
    http.delete("/mcp", notAllowed);
  };
}
