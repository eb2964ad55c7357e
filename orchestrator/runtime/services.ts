/**
 * The composition root: opens the stores, the embedder and the database once, runs
 * migrations, and hands one `Services` object to whichever command is running.
 */
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { type Database, migrate, openDatabase } from "../../memory/db/index.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { dropLegacyEntries } from "../../memory/response-cache.js";
import { openShortTermStore } from "../../memory/store/index.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { Health } from "./health.js";
import { startTracing, type Tracing } from "./otel.js";

export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: ShortTermStore;
  readonly db: Database;
  readonly embedder: Embedder;
  readonly health: Health;
  /** This database's id (see `MigrationResult.instanceId`). */
  readonly instanceId: string;
  /** OTLP trace export, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces endpoint) is set. */
  readonly tracing: Tracing | undefined;
  /** Settles when the start's drop of cached answers of earlier versions ends (`migrate` waits for it). */
  readonly legacyDropped: Promise<void>;
  /** Closes everything; `waitForHost: false` leaves the embedded host to exit on its own. */
  close(options?: { waitForHost?: boolean }): Promise<void>;
}

export interface OpenOptions {
  /** Drop cached answers of earlier versions even when a finished drop still stands (`migrate`). */
  forceLegacyDrop?: boolean;
}

export async function openServices(
  config: Config,
  logger: Logger,
  health: Health = new Health(),
  options: OpenOptions = {},
): Promise<Services> {
  // Valkey and the database open side by side (the embedded host may still be starting or
  // seeding). The first to fail fails the start at once; the other is closed when it opens.
  const opening = [openShortTermStore(config), openDatabase(config, logger, { setup: true })] as const;
  const [store, db] = await Promise.all(opening).catch((err: unknown) => {
    for (const o of opening) void o.then((x) => x.close()).catch(() => {});
    throw err;
  });
  try {
    const embedder = createEmbedder(config, store);
    const result = await migrate(db.sql, embedder);
    if (result.applied.length > 0) logger.info({ applied: result.applied }, "applied migrations");
    // Cached answers of earlier versions may hold secrets: they go at the first start of a day (a
    // finished drop is remembered) and at every `migrate`. Their keys are never read, so the scan
    // runs beside the start instead of before it, and closing stops it at the next page: a
    // one-shot command does not wait for a scan of the whole keyspace (the next start scans again).
    const stopDropping = new AbortController();
    const dropping = dropLegacyEntries(store, {
      signal: stopDropping.signal,
      ...(options.forceLegacyDrop ? { force: true } : {}),
    }).then(
      (dropped) => {
        if (dropped > 0) logger.info({ dropped }, "dropped cached answers of earlier versions");
      },
      (err: unknown) => logger.warn({ err }, "could not drop cached answers of earlier versions"),
    );
    const tracing = await startTracing(config, logger);
    // The spans of the last invocations are sent before the process lets go.
    const closers: Array<(options: { waitForHost?: boolean }) => Promise<void>> = [
      () => {
        stopDropping.abort();
        return dropping;
      },
      (options) => db.close(options),
      () => store.close(),
      ...(tracing ? [() => tracing.shutdown()] : []),
    ];
    return {
      config,
      logger,
      store,
      db,
      embedder,
      health,
      instanceId: result.instanceId,
      tracing,
      legacyDropped: dropping,
      close: async (options = {}) => {
        for (const close of closers)
          await close(options).catch((err) => logger.warn({ err }, "close failed"));
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}
