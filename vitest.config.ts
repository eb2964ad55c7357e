import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite does not follow chrono-node's "./*" subpath pattern; Node does (language/slots/dates.ts).
    alias: { "chrono-node/en": require.resolve("chrono-node/en").replace("/cjs/", "/esm/") },
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
