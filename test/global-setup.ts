/**
 * Seeds one embedded database per test run into a template directory; tests that need the full
 * Flightly world copy it (`worldDir()` in support/world.ts) instead of seeding again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../core/config.js";
import { createLogger } from "../core/logger.js";
import { seed } from "../memory/db/seed.js";
import { openServices } from "../orchestrator/runtime/services.js";

let template: string | undefined;

export async function setup({ provide }: { provide: (key: string, value: string) => void }): Promise<void> {
  template = mkdtempSync(join(tmpdir(), "flightly-world-"));
  const logger = createLogger({ level: "warn" });
  const services = await openServices(loadConfig({ DATA_DIR: template, LOG_LEVEL: "warn" }), logger);
  await seed(services.db.sql, services.embedder, logger);
  await services.close();
  provide("worldTemplate", template);
}

export async function teardown(): Promise<void> {
  if (template) rmSync(template, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    worldTemplate: string;
  }
}
