/**
 * `docker-compose.yml`, checked where Docker cannot run: the services it names exist and are
 * healthy before their dependants start, the service's environment is one the configuration
 * accepts, its URLs point at the compose services with their credentials, and the one-shot setup
 * runs commands the CLI has.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commands } from "../../bin/commands.js";
import { CONFIG_VARIABLES, loadConfig } from "../../core/config.js";
import { ROOT } from "../../core/paths.js";

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
};
const services = compose.services;
/** The runtime stage's `ENV` line: what the image sets before compose adds its environment. */
const imageEnv = Object.fromEntries(
  [
    ...(readFileSync(join(ROOT, "Dockerfile"), "utf8").match(/^ENV (.+)$/m)?.[1] ?? "").matchAll(
      /(\w+)=(\S+)/g,
    ),
  ].map((m) => [m[1]!, m[2]!]),
);
const built = Object.entries(services).filter(([, s]) => s.build === ".");

describe("docker-compose.yml", () => {
  it("runs Valkey, PostgreSQL with pgvector and the image built from this Dockerfile", () => {
    expect(services.valkey?.image).toMatch(/^valkey\/valkey:/);
    expect(services.postgres?.image).toMatch(/^pgvector\/pgvector:/);
    expect(built.map(([name]) => name).sort()).toEqual(["flightly", "setup"]);
  });

  it("starts each service after what it depends on is healthy or done", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (condition === "service_healthy")
          expect(services[dep]?.healthcheck, `${dep} healthcheck`).toBeDefined();
        else expect(condition).toBe("service_completed_successfully");
      }
    }
    expect(Object.keys(services.flightly?.depends_on ?? {}).sort()).toEqual(["setup", "valkey"]);
  });

  it("gives the image an environment the configuration accepts, pointing at the compose services", () => {
    const db = services.postgres?.environment ?? {};
    for (const [name, service] of built) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES, `${name}: ${key}`).toContain(key);
      const config = loadConfig({ ...imageEnv, ...env });
      const database = new URL(config.database.url ?? "");
      expect(database.hostname).toBe("postgres");
      expect(decodeURIComponent(database.username)).toBe(db.POSTGRES_USER);
      expect(decodeURIComponent(database.password)).toBe(db.POSTGRES_PASSWORD);
      expect(database.pathname).toBe(`/${db.POSTGRES_DB}`);
    }
    const runtime = loadConfig({ ...imageEnv, ...services.flightly?.environment });
    expect(new URL(runtime.valkey.url ?? "").hostname).toBe("valkey");
    expect(services.flightly?.ports).toEqual([`127.0.0.1:${runtime.port}:${runtime.port}`]);
  });

  it("sets up the database with commands the CLI has, in order: migrate, then seed", () => {
    const script = services.setup?.command?.join(" ") ?? "";
    const run = [...script.matchAll(/flightly\.js (\w+)/g)].map((m) => m[1]!);
    expect(run).toEqual(["migrate", "seed"]);
    for (const command of run) expect(Object.keys(commands)).toContain(command);
  });
});
