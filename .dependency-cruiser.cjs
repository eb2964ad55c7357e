/**
 * The layer rule (ARCHITECTURE.md): a file imports only from its own rank or below, no import
 * cycles, and `language/` is used through its entry point. Type-only imports count. `test/` may
 * import from any rank. Run by `npm run lint` (`npm run lint:layers`).
 */
const RANKS = {
  core: 0,
  language: 1,
  memory: 2,
  tools: 3,
  agents: 4,
  "mcp-servers": 4,
  orchestrator: 5,
  bin: 6,
  bench: 6,
  scripts: 6,
};

const folders = Object.keys(RANKS);
const above = (folder) => folders.filter((other) => RANKS[other] > RANKS[folder]);

const upward = folders
  .filter((folder) => above(folder).length > 0)
  .map((folder) => ({
    name: `no-upward-from-${folder}`,
    comment: `${folder}/ (rank ${RANKS[folder]}) imports only from its own rank or below`,
    severity: "error",
    from: { path: `^${folder}/` },
    to: { path: `^(${above(folder).join("|")})/` },
  }));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "no import cycles",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "language-entry-point",
      comment: "language/ is imported through language/index.ts",
      severity: "error",
      from: { pathNot: "^language/" },
      to: { path: "^language/", pathNot: "^language/index\\.ts$" },
    },
    {
      name: "no-test-code-in-sources",
      comment: "only tests import from test/",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
