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
  const logger = pino(
    {
      name: options.name ?? "flightly",
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => redactValue(obj) as Record<string, unknown>,
      },
      // `err` is already a plain, scrubbed object (redactValue); pino's serializer would rename its type.
      serializers: { err: (err: unknown) => err },
      hooks: {
        logMethod(args, method) {
          const scrubbed: unknown[] = args.map((a, i) =>
            typeof a === "string" ? redactText(a) : i > 0 && !(a instanceof Error) ? redactValue(a) : a,
          );
          // Without a message pino uses the raw `err.message` as `msg`, past the formatters.
          const first = args[0] as unknown;
          const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
          if (args.length === 1 && err instanceof Error) scrubbed.push(redactText(err.message));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
  // pino writes `child({...})` bindings as given (its `bindings` formatter only sees the root's), so
  // they are scrubbed here; children inherit this override through their prototype chain.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactValue(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
