/**
 * The trace provider, set up once when the services open: spans go in batches to the OTLP/HTTP
 * (JSON) endpoint the configuration names. Without one nothing is set up and the orchestrator
 * uses the API's tracer, a no-op unless the embedding process registered a provider of its own.
 * The provider is handed to the orchestrator, not registered globally: a second runtime in the
 * same process (tests, benchmarks) without an endpoint stays untraced. The SDK and exporter are
 * loaded only when an endpoint is configured.
 */
import { type Tracer, trace } from "@opentelemetry/api";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";

export interface Tracing {
  readonly tracer: Tracer;
  /** Sends the spans ended so far. */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

const TRACER = "flightly";

/** The tracer spans are made with: the configured provider's, else the API's (no-op by default). */
export const tracerOf = (tracing: Tracing | undefined): Tracer => tracing?.tracer ?? trace.getTracer(TRACER);

export async function startTracing(config: Config, logger: Logger): Promise<Tracing | undefined> {
  const url = config.tracing.url;
  if (!url) return undefined;
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor }] =
    await Promise.all([
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace-base"),
    ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": config.tracing.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5_000 }), {
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  logger.info({ url: new URL(url).origin }, "exporting traces over OTLP/HTTP");
  return {
    tracer: provider.getTracer(TRACER),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
