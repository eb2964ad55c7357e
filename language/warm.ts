/**
 * Does once what a process's first request would otherwise pay for: the date parser builds its
 * patterns and the slot readers and gazetteer compile theirs on first use (about 0.2 s on a
 * 2-core machine). A one-shot command runs this while it waits for the embedded database's host,
 * so its request does not.
 */
import { readRequest } from "./request.js";

/** Requests in the shapes the readers know: places, dates, party, budget, a stay. */
const SAMPLES = [
  "two adults flying Lisbon to Oslo on the 3rd of May, back a week later, under $600",
  "a hotel room in Rome for next weekend, with my son",
];

export function warmUp(now: Date = new Date()): void {
  for (const sample of SAMPLES) readRequest(sample, now);
}
