/**
 * The first seed of an embedded data dir at start-up, and its progress on a terminal: one line on
 * stderr, redrawn in place, only when the stream is a TTY (logs and pipes get nothing but the
 * usual log lines).
 */
import { type SeedProgress, seed, seededAnchor } from "../../memory/db/seed.js";
import type { Services } from "./services.js";

interface Terminal {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 24;

/** A progress callback for `seed`, or undefined when `stream` is not a terminal. */
export function seedProgressDisplay(
  stream: Terminal = process.stderr,
  intervalMs = 100,
): ((progress: SeedProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let drawnAt = 0;
  let lastStep = "";
  return ({ step, done, total }) => {
    const finished = done >= total;
    const now = Date.now();
    if (!finished && step === lastStep && now - drawnAt < intervalMs) return;
    drawnAt = now;
    lastStep = step;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * WIDTH);
    const bar = `${"#".repeat(filled)}${".".repeat(WIDTH - filled)}`;
    const line = `seeding the Flightly world [${bar}] ${String(Math.round(share * 100)).padStart(3)}% ${step}`;
    stream.write(`\r\x1b[2K${line}${finished ? "\n" : ""}`);
  };
}

/** Seeds an embedded database that has no world yet, with a progress line on a terminal. */
export async function seedIfEmpty(services: Services, stream: Terminal = process.stderr): Promise<boolean> {
  if (!services.db.embedded || (await seededAnchor(services.db.sql)) !== undefined) return false;
  const onProgress = seedProgressDisplay(stream);
  await seed(services.db.sql, services.embedder, services.logger, onProgress ? { onProgress } : {});
  return true;
}
