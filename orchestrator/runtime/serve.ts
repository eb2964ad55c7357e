/**
 * `flightly serve`: listens first (so `/ping` answers during warm-up), then seeds an empty
 * embedded database in the background, and shuts down gracefully on SIGTERM / SIGINT.
 */
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { seed } from "../../memory/db/seed.js";
import { createHttpServer } from "./http.js";
import { openServices } from "./services.js";

export async function serveHttp(config: Config, logger: Logger): Promise<void> {
  const services = await openServices(config, logger);
  const app = createHttpServer({ logger, health: services.health });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host }, "AgentCore runtime listening");

  if (services.db.embedded) {
    void services.health
      .track(() => seed(services.db.sql, services.embedder, logger))
      .catch((err) => logger.error({ err }, "seeding failed"));
  }

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight work");
    await app.close();
    await services.close();
    logger.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
