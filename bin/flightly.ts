#!/usr/bin/env node
/**
 * The `flightly` executable: a long-running command first restarts itself in place with the lean
 * memory settings (`launch.ts`), then the command line (`cli.ts`) loads.
 */
import { relaunchLean } from "./launch.js";

relaunchLean(process.argv.slice(2));
await import("./cli.js");
