import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { redactText } from "../core/redact.js";
/**
 * `flightly <command>`: serve, studio, mcp, worker, seed, migrate, chat, invoke, eval, bench, scenarios.
 * Logs go to stderr; stdout carries command output (and the MCP stdio channel).
 */
import { isDriverWriteAfterClose } from "../memory/db/index.js";
import { commands, UsageError } from "./commands.js";

const USAGE = `Usage: flightly <command> [options]

Commands:
  serve [--protocol http|mcp]      AgentCore HTTP runtime on :8080 (or MCP at :8000/mcp)
  studio                           the runtime with the studio page at :8080/studio (chat
                                   and watch the handoff trail in a browser)
  mcp postgres|weather|orchestrator [--http PORT]
                                   an MCP server on stdio (or Streamable HTTP)
  worker                           the tiering worker as its own process
  seed [--reset]                   load the deterministic Flightly world
  migrate                          apply database migrations
  chat                             interactive terminal session
  invoke "prompt" [--session ID] [--actor ID]
                                   one request, answer as JSON on stdout

Options: --verbose, -v   debug logs on stderr (invoke and chat log only warnings unless
                         LOG_LEVEL or --verbose says otherwise)
  eval --dataset FILE [--limit N] [--split all|tune|check] [--json]
                                   [--failures FILE]
                                   intent, slot and outcome figures of a JSONL data set
  eval --knowledge [--dataset FILE] [--split all|tune|check] [--json] [--failures FILE]
                                   hit rates of the first and any help-centre document
                                   quoted for labelled questions
  bench [--quick] [--only http]    benchmarks; writes bench/results and BENCHMARKS.md
                                   (--only http: the HTTP loads alone, ours beside the peer;
                                   printed, nothing written)
  bench --only recall [--scales 10k,100k] [--data-dir DIR] [--database-url URL]
                                   the long-term recall stage alone; DIR keeps the embedded
                                   database (memories and index reused by the next run)
  scenarios run <file-or-dir>... [--junit FILE] [--model local|bedrock|openai|FILE]
                                   run YAML scenario files; exit 1 when an expectation fails
`;

/** Commands whose stdout is the conversation: quiet logs unless asked for. */
const QUIET_BY_DEFAULT = new Set(["invoke", "chat", "scenarios"]);

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
      protocol: { type: "string" },
      http: { type: "string" },
      reset: { type: "boolean" },
      quick: { type: "boolean" },
      only: { type: "string" },
      scales: { type: "string" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      session: { type: "string" },
      actor: { type: "string" },
      stream: { type: "boolean" },
      dataset: { type: "string" },
      knowledge: { type: "boolean" },
      limit: { type: "string" },
      split: { type: "string" },
      json: { type: "boolean" },
      failures: { type: "string" },
      junit: { type: "string" },
      model: { type: "string" },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    // Unknown options and options missing their value (`--actor` with nothing after it).
    process.stderr.write(`flightly: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
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
  const quiet = QUIET_BY_DEFAULT.has(name) && values.verbose !== true && process.env.LOG_LEVEL === undefined;
  const logger = createLogger({
    level: values.verbose === true ? "debug" : quiet ? "warn" : config.logLevel,
  });
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
    if (err instanceof UsageError) {
      process.stderr.write(`flightly ${name}: ${err.message}\n`);
      return 2;
    }
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
