/**
 * The one place configuration is read and validated. `loadConfig()` reads the environment once,
 * validates every variable with zod and returns a frozen object; every other module receives it.
 */
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { DEFAULT_DATA_DIR } from "./paths.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");
const port = z.coerce.number({ message: "expected a TCP port" }).int().min(0).max(65535);
const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = (schemes: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ""));
      } catch {
        return false;
      }
    },
    { message: `expected a URL (${schemes.join(", ")})` },
  );

/** Environment variables, by their exact names (DESIGN §4). */
const envSchema = z.object({
  PORT: port.default(8080),
  MCP_PORT: port.default(8000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  MODEL_PROVIDER: z.enum(["local", "bedrock", "openai"]).default("local"),
  BEDROCK_MODEL_ID: z.string().min(1).default("us.anthropic.claude-haiku-4-5-20251001-v1:0"),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  OPENAI_BASE_URL: url(["http", "https"]).default("http://127.0.0.1:11434/v1"),
  OPENAI_MODEL: z.string().min(1).default("llama3.1"),
  OPENAI_API_KEY: z.string().optional(),
  EMBEDDINGS_PROVIDER: z.enum(["local", "bedrock"]).default("local"),
  EMBEDDING_MODEL_ID: z.string().min(1).default("amazon.titan-embed-text-v2:0"),
  EMBEDDING_DIMENSIONS: z.coerce
    .number()
    .refine((n) => n === 256 || n === 512 || n === 1024, { message: "expected 256, 512 or 1024" })
    .default(1024),
  VALKEY_URL: url(["redis", "rediss", "valkey", "valkeys"]).optional(),
  VALKEY_CLUSTER: bool.default(false),
  DATABASE_URL: url(["postgres", "postgresql"]).optional(),
  DATABASE_READONLY_URL: url(["postgres", "postgresql"]).optional(),
  KNOWLEDGE_BASE_ID: z.string().min(1).optional(),
  SEMANTIC_CACHE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.92),
  SEMANTIC_CACHE_TTL_S: z.coerce.number().int().positive().default(86_400),
  SEMANTIC_CACHE_MAX_ENTRIES: z.coerce.number().int().positive().default(50_000),
  SEMANTIC_CACHE_AUDIT_RATE: z.coerce.number().min(0).max(1).default(0.02),
  SEMANTIC_CACHE_AUDIT_MAX_PER_S: z.coerce.number().positive().default(2),
  AUTH_DISCOVERY_URL: url(["http", "https"]).optional(),
  AUTH_ALLOWED_CLIENTS: list.default([]),
  AUTH_ALLOWED_AUDIENCE: list.default([]),
  AUTH_ALLOW_ANY_CLIENT: bool.default(false),
  TRUST_PLATFORM_AUTH: bool.default(false),
  ALLOWED_HOSTS: list.default([]),
  WEATHER_PROVIDER: z.enum(["offline", "open-meteo"]).default("offline"),
  WEATHER_BASE_URL: url(["http", "https"]).default("https://api.open-meteo.com"),
  SESSION_TTL_S: z.coerce.number().int().positive().default(86_400),
  WORKER_ENABLED: bool.default(true),
  MAX_CONCURRENT_TURNS: z.coerce.number().int().min(1).max(1024).default(32),
  STUDIO_ENABLED: bool.optional(),
  MCP_SERVERS: z.enum(["in-process", "stdio"]).default("in-process"),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(["http", "https"]).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(["http", "https"]).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("flightly"),
  FLIGHTLY_ACTOR_ID: z
    .string()
    .regex(/^[\w.:@-]{1,128}$/, { message: "expected a customer id" })
    .default("anonymous"),
});

/** Every environment variable the service reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  readonly port: number;
  readonly mcpPort: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** Absolute path of the data directory (embedded Postgres, embedder cache). */
  readonly dataDir: string;
  readonly model: {
    readonly provider: "local" | "bedrock" | "openai";
    readonly bedrockModelId: string;
    readonly openai: {
      readonly baseUrl: string;
      readonly model: string;
      readonly apiKey: string | undefined;
    };
  };
  readonly awsRegion: string;
  readonly embeddings: {
    readonly provider: "local" | "bedrock";
    readonly modelId: string;
    readonly dimensions: number;
  };
  readonly valkey: { readonly url: string | undefined; readonly cluster: boolean };
  readonly database: { readonly url: string | undefined; readonly readonlyUrl: string | undefined };
  readonly knowledgeBaseId: string | undefined;
  readonly semanticCache: {
    readonly threshold: number;
    readonly ttlS: number;
    /** Rows `semantic_cache` keeps at most; the nearest to expiry are evicted first. */
    readonly maxEntries: number;
    /** Share of cache hits recomputed in the background and compared with what was served. */
    readonly auditRate: number;
    /** Audits started per second at most, whatever the rate (a busy process samples many hits). */
    readonly auditMaxPerS: number;
  };
  readonly auth: {
    readonly discoveryUrl: string | undefined;
    readonly allowedClients: readonly string[];
    readonly allowedAudience: readonly string[];
    /** Accept any token of the issuer when neither allow-list is set (`AUTH_ALLOW_ANY_CLIENT`). */
    readonly allowAnyClient: boolean;
    /** The platform in front authenticates callers (`TRUST_PLATFORM_AUTH`). */
    readonly trustPlatform: boolean;
  };
  /** `Host` names accepted (`ALLOWED_HOSTS`); empty means loopback names on a loopback bind. */
  readonly allowedHosts: readonly string[];
  readonly weather: { readonly provider: "offline" | "open-meteo"; readonly baseUrl: string };
  readonly sessionTtlS: number;
  readonly workerEnabled: boolean;
  /** Turns that run the agents at once in one process; the rest wait in arrival order. */
  readonly maxConcurrentTurns: number;
  /**
   * `/studio` on `flightly serve` (`STUDIO_ENABLED`): by default on for a loopback bind without
   * auth, off otherwise (with auth on, the page and its endpoints need the bearer token).
   */
  readonly studio: boolean | undefined;
  /** How the orchestrator runs its weather and Postgres MCP servers: in this process or as stdio children. */
  readonly mcpServers: "in-process" | "stdio";
  /** The actor of local, unauthenticated MCP use (stdio, or HTTP without auth). */
  readonly localActorId: string;
  /**
   * OTLP/HTTP trace export: the traces URL (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`); undefined means no tracing.
   */
  readonly tracing: { readonly url: string | undefined; readonly serviceName: string };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates the environment and returns the frozen configuration.
 * @throws ConfigError naming every bad variable and what it expects.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "environment");
      const shown = name.includes("KEY") || name.includes("URL") ? "" : ` (got ${JSON.stringify(env[name])})`;
      return `${name}: ${i.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return deepFreeze({
    port: e.PORT,
    mcpPort: e.MCP_PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dataDir: resolve(e.DATA_DIR),
    model: {
      provider: e.MODEL_PROVIDER,
      bedrockModelId: e.BEDROCK_MODEL_ID,
      openai: { baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, apiKey: e.OPENAI_API_KEY },
    },
    awsRegion: e.AWS_REGION,
    embeddings: {
      provider: e.EMBEDDINGS_PROVIDER,
      modelId: e.EMBEDDING_MODEL_ID,
      dimensions: e.EMBEDDING_DIMENSIONS,
    },
    valkey: { url: e.VALKEY_URL, cluster: e.VALKEY_CLUSTER },
    database: { url: e.DATABASE_URL, readonlyUrl: e.DATABASE_READONLY_URL },
    knowledgeBaseId: e.KNOWLEDGE_BASE_ID,
    semanticCache: {
      threshold: e.SEMANTIC_CACHE_THRESHOLD,
      ttlS: e.SEMANTIC_CACHE_TTL_S,
      maxEntries: e.SEMANTIC_CACHE_MAX_ENTRIES,
      auditRate: e.SEMANTIC_CACHE_AUDIT_RATE,
      auditMaxPerS: e.SEMANTIC_CACHE_AUDIT_MAX_PER_S,
    },
    auth: {
      discoveryUrl: e.AUTH_DISCOVERY_URL,
      allowedClients: e.AUTH_ALLOWED_CLIENTS,
      allowedAudience: e.AUTH_ALLOWED_AUDIENCE,
      allowAnyClient: e.AUTH_ALLOW_ANY_CLIENT,
      trustPlatform: e.TRUST_PLATFORM_AUTH,
    },
    allowedHosts: e.ALLOWED_HOSTS.map((h) => h.toLowerCase()),
    weather: { provider: e.WEATHER_PROVIDER, baseUrl: e.WEATHER_BASE_URL },
    sessionTtlS: e.SESSION_TTL_S,
    workerEnabled: e.WORKER_ENABLED,
    maxConcurrentTurns: e.MAX_CONCURRENT_TURNS,
    studio: e.STUDIO_ENABLED,
    mcpServers: e.MCP_SERVERS,
    localActorId: e.FLIGHTLY_ACTOR_ID,
    tracing: {
      url:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT
          ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`
          : undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
  } satisfies Config);
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];
const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);

/**
 * The one exposure rule for HTTP and MCP alike. A non-loopback bind without auth needs
 * `TRUST_PLATFORM_AUTH=true` (returned as a warning to log); auth with neither an audience nor a
 * client allow-list needs `AUTH_ALLOW_ANY_CLIENT=true`. Returns the accepted `Host` names (`*`:
 * any, only for a non-loopback bind without an explicit list).
 * @throws ConfigError naming the variable to set.
 */
export function exposurePolicy(config: Config, host: string): { allowedHosts: string[]; warning?: string } {
  const auth = config.auth;
  if (
    auth.discoveryUrl &&
    auth.allowedAudience.length === 0 &&
    auth.allowedClients.length === 0 &&
    !auth.allowAnyClient
  ) {
    throw new ConfigError([
      "AUTH_DISCOVERY_URL: set AUTH_ALLOWED_AUDIENCE or AUTH_ALLOWED_CLIENTS (or AUTH_ALLOW_ANY_CLIENT=true to accept any token of the issuer)",
    ]);
  }
  const loopback = isLoopback(host.toLowerCase());
  const explicit = config.allowedHosts.length > 0 ? [...config.allowedHosts] : undefined;
  if (loopback) return { allowedHosts: explicit ?? LOOPBACK_HOSTS };
  if (!auth.discoveryUrl && !auth.trustPlatform) {
    throw new ConfigError([
      `HOST: binding ${host} without auth needs TRUST_PLATFORM_AUTH=true (the platform in front authenticates callers) or AUTH_DISCOVERY_URL`,
    ]);
  }
  return {
    allowedHosts: explicit ?? ["*"],
    ...(auth.discoveryUrl
      ? {}
      : {
          warning: `listening on ${host} without auth: TRUST_PLATFORM_AUTH says the platform in front authenticates callers`,
        }),
  };
}

/**
 * Whether `flightly serve` mounts `/studio`: as `STUDIO_ENABLED` says, else only on a loopback
 * bind without auth (a local developer's service; never by default behind a platform or a token).
 */
export const studioEnabled = (config: Config): boolean =>
  config.studio ?? (!config.auth.discoveryUrl && isLoopback(config.host.toLowerCase()));
