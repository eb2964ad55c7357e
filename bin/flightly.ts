#!/usr/bin/env node
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { redactText } from "../core/redact.js";
/**
 * `flightly <command>`: serve, mcp, worker, seed, migrate, chat, invoke, eval, bench.
 * Logs go to stderr; stdout carries command output (and the MCP stdio channel).
 */
import { isDriverWriteAfterClose } from "../memory/db/index.js";
import { commands } from "./commands.js";

const USAGE = `Usage: flightly <command> [options]

Commands:
  serve [--protocol http|mcp]      AgentCore HTTP runtime on :8080 (or MCP at :8000/mcp)
  mcp postgres|weather|orchestrator [--http PORT]
                                   an MCP server on stdio (or Streamable HTTP)
  worker                           the tiering worker as its own process
  seed [--reset]                   load the deterministic Flightly world
  migrate                          apply database migrations
  chat                             interactive terminal session
  invoke "prompt" [--session ID] [--actor ID]
                                   one request, answer as JSON on stdout
  eval --dataset FILE [--limit N] [--split all|tune|check] [--json]
                                   [--failures FILE]
                                   intent, slot and outcome figures of a JSONL data set
  bench [--quick]                  benchmarks; writes bench/results and BENCHMARKS.md
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      help: { type: "boolean", short: "h" },
      protocol: { type: "string" },
      http: { type: "string" },
      reset: { type: "boolean" },
      quick: { type: "boolean" },
      session: { type: "string" },
      actor: { type: "string" },
      stream: { type: "boolean" },
      dataset: { type: "string" },
      limit: { type: "string" },
      split: { type: "string" },
      json: { type: "boolean" },
      failures: { type: "string" },
    },
  });
  const [name, ...args] = positionals;
  if (!name || values.help) {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`flightly: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flightly: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  // Node's default for any other uncaught error: report it and exit 1.
  process.on("uncaughtException", (err) => {
    if (isDriverWriteAfterClose(err)) {
      logger.warn({ err }, "dropped a database write for a connection that had already closed");
      return;
    }
    logger.fatal({ err }, "uncaught exception");
    logger.flush();
    process.stderr.write(`flightly: ${redactText(err.stack ?? err.message)}\n`);
    process.exit(1);
  });
  try {
    return await command({ config, logger, args, flags: values });
  } catch (err) {
    logger.error({ err }, `${name} failed`);
    const message = redactText(err instanceof Error ? err.message : String(err));
    process.stderr.write(`flightly ${name}: ${message}\n`);
    logger.flush();
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`flightly: ${redactText(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);
