import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";

describe("configuration", () => {
  it("has working embedded defaults and is frozen", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe("127.0.0.1");
    expect(c.model.provider).toBe("local");
    expect(c.valkey.url).toBeUndefined();
    expect(c.database.url).toBeUndefined();
    expect(c.dataDir).toMatch(/\.flightly$/);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.model)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it("reads production values", () => {
    const c = loadConfig({
      MODEL_PROVIDER: "bedrock",
      VALKEY_URL: "rediss://cache.example:6379",
      VALKEY_CLUSTER: "true",
      DATABASE_URL: "postgres://u:p@db.example/flightly",
      AUTH_ALLOWED_CLIENTS: "a, b ,,c",
      EMBEDDING_DIMENSIONS: "512",
    });
    expect(c.model.provider).toBe("bedrock");
    expect(c.valkey).toEqual({ url: "rediss://cache.example:6379", cluster: true });
    expect(c.auth.allowedClients).toEqual(["a", "b", "c"]);
    expect(c.embeddings.dimensions).toBe(512);
  });

  it("names every bad variable and what it expects, without echoing secrets", () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: "eighty",
        MODEL_PROVIDER: "gpt",
        VALKEY_CLUSTER: "maybe",
        EMBEDDING_DIMENSIONS: "300",
        DATABASE_URL: "mysql://root:hunter2@db/x",
        SEMANTIC_CACHE_THRESHOLD: "1.5",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    const names = problems.map((p) => p.split(":")[0]);
    expect(names.sort()).toEqual(
      [
        "DATABASE_URL",
        "EMBEDDING_DIMENSIONS",
        "MODEL_PROVIDER",
        "PORT",
        "SEMANTIC_CACHE_THRESHOLD",
        "VALKEY_CLUSTER",
      ].sort(),
    );
    expect(problems.find((p) => p.startsWith("MODEL_PROVIDER"))).toMatch(/local.*bedrock.*openai/);
    expect(problems.find((p) => p.startsWith("EMBEDDING_DIMENSIONS"))).toMatch(/256, 512 or 1024/);
    expect((err as Error).message).not.toContain("hunter2");
  });
});
