/** One function per CLI command; each returns an exit code (-1: keeps running until a signal). */
import { countWorld, seed } from "../memory/db/seed.js";
import { serveHttp } from "../orchestrator/runtime/serve.js";
import { openServices } from "../orchestrator/runtime/services.js";
import type { CommandContext } from "./flightly.js";

type Command = (ctx: CommandContext) => Promise<number>;

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export const commands: Record<string, Command> = {
  async serve(ctx) {
    await serveHttp(ctx.config, ctx.logger);
    return -1;
  },

  async migrate(ctx) {
    const services = await openServices(ctx.config, ctx.logger);
    print({
      migrated: true,
      database: services.db.embedded ? "embedded" : "external",
      servesEmbedded: services.db.servesEmbedded,
      pid: process.pid,
    });
    await services.close();
    return 0;
  },

  async seed(ctx) {
    const services = await openServices(ctx.config, ctx.logger);
    try {
      const result = await seed(services.db.sql, services.embedder, ctx.logger, {
        reset: ctx.flags.reset === true,
      });
      print({ ...result, counts: result.seeded ? result.counts : await countWorld(services.db.sql) });
      return 0;
    } finally {
      await services.close();
    }
  },
};
