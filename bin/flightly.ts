#!/usr/bin/env node
/**
 * The `flightly` executable: a long-running command first restarts itself in place with the lean
 * memory settings (`launch.ts`), starts the embedded database's host when the command needs it
 * (`prestart.ts`), then the command line (`cli.ts`) loads, its modules compiled once
 * and read back from Node's on-disk compile cache on later starts.
 */
import nodeModule from "node:module";
import { relaunchLean } from "./launch.js";
import { prestartHost } from "./prestart.js";

relaunchLean(process.argv.slice(2));
prestartHost(process.argv.slice(2), process.env);
// Node 22.1+ (the types follow Node 20).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import("./cli.js");
