/**
 * The one place loggers are created: pino, JSON to stderr (stdout is the MCP stdio channel),
 * with secrets scrubbed from every field and message. Use `logger.child({ requestId, sessionId,
 * actorId })` to carry ids.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import { redactText, redactValue } from "./redact.js";

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr unless a test captures them. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "flightly",
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => redactValue(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? redactText(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
