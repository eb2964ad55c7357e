/**
 * Packs an empty PGlite cluster for new embedded data directories (`memory/db/pglite-template.ts`):
 * `data/pglite/initdb-<version>.tar.gz`. Run by `npm run prepare`; does nothing when the pack of
 * the installed PGlite exists (`--force` rebuilds it).
 */
import { buildTemplate, templateFile } from "../memory/db/pglite-template.js";

const result = await buildTemplate(templateFile(), process.argv.includes("--force"));
process.stderr.write(
  result.status === "built"
    ? `built ${result.file} (${(result.bytes / 1e6).toFixed(1)} MB) in ${result.ms} ms\n`
    : `${result.file} is up to date\n`,
);
