import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Vite does not follow chrono-node's "./*" subpath pattern; Node does (language/slots/dates.ts).
    alias: { "chrono-node/en": fileURLToPath(import.meta.resolve("chrono-node/en")) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/valkey-setup.ts", "test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default"],
  },
});
