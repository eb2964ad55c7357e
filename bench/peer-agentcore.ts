/**
 * The peer runtime for the HTTP benchmarks: the `bedrock-agentcore` TypeScript SDK's
 * `BedrockAgentCoreApp` (Fastify) serving a trivial handler, run as its own process by the bench
 * (`node dist/bench/peer-agentcore.js <port>`). Request logging is off, as in our runtime.
 */
import { BedrockAgentCoreApp } from "bedrock-agentcore/runtime";

const port = Number(process.argv[2] ?? 0);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write("usage: peer-agentcore.js <port>\n");
  process.exit(2);
}

const app = new BedrockAgentCoreApp({
  invocationHandler: {
    process: async (request: unknown, context) => ({
      response: "ok",
      session_id: context.sessionId,
      echo: typeof request === "object" && request !== null ? Object.keys(request).length : 0,
    }),
  },
  config: { logging: { enabled: false } },
});
app.run({ port, host: "127.0.0.1" });
process.once("SIGTERM", () => process.exit(0));
