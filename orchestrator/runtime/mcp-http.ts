/**
 * `flightly serve --protocol mcp`: the orchestrator as a stateless Streamable HTTP MCP server at
 * `/mcp` (AgentCore's MCP protocol). Each POST gets a fresh server and transport; the
 * `Mcp-Session-Id` AgentCore adds is accepted and echoed, and the session of the `ask` tool is the
 * tool's own `session_id`.
 */
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance } from "fastify";
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

export function mcpRoutes(o: McpRoutesOptions): (http: FastifyInstance) => void {
  return (http) => {
    http.post("/mcp", async (req, reply) => {
      const app = o.app();
      if (!app) {
        return reply
          .status(503)
          .send({ jsonrpc: "2.0", error: { code: -32000, message: "Flightly is starting up" }, id: null });
      }
      const actorId = o.authenticate
        ? (await o.authenticate(req.headers.authorization)).actorId
        : o.localActorId;
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
