#!/usr/bin/env node
/**
 * The `flightly` executable: a long-running command first restarts itself in place with the lean
 * memory settings (`launch.ts`); the embedded database's host starts when the command needs it
 * (`prestart.ts`); then the command line (`cli.ts`) loads. A one-shot command (`invoke`, `eval`,
 * …) reads its compiled modules from Node's on-disk compile cache (about 0.3 s less at start); a
 * long-running one compiles lazily instead, since the cache's code stays resident (about 7 MB).
 */
import nodeModule from "node:module";
import { longRunning, relaunchLean } from "./launch.js";
import { prestartHost } from "./prestart.js";

const argv = process.argv.slice(2);
relaunchLean(argv);
prestartHost(argv, process.env);
// Node 22.1+ (the types follow Node 20).
if (!longRunning(argv)) (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import("./cli.js");
