/**
 * The help centre's synonyms from WordNet (`scripts/build-synonyms.ts`): a word's form to the
 * forms of the documents' words it shares a synset with ("pushchair" → "stroller"). Read at the
 * first lookup; without the built file no word has synonyms.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../core/paths.js";

/** The built table: where it came from, and word form → the documents' words. */
export interface SynonymTable {
  builder: string;
  /** The WordNet package and version it was derived from. */
  source: string;
  /** A hash of the documents whose vocabulary it is restricted to. */
  documents: string;
  forms: Record<string, string[]>;
  /** A keyword word's form to the forms of its noun hypernyms ("flight" → "trip"). */
  hypernyms: Record<string, string[]>;
}

/** Bumped when the table's derivation changes, so `prepare` rebuilds it. */
export const SYNONYM_BUILDER = "wordnet-synonyms-2";
export const SYNONYM_FILE: string = join(DATA, "synonyms", "wordnet.json");

let shared: { forms: Map<string, readonly string[]>; hypernyms: Map<string, readonly string[]> } | undefined;

function table(): NonNullable<typeof shared> {
  if (!shared) {
    try {
      const built = JSON.parse(readFileSync(SYNONYM_FILE, "utf8")) as SynonymTable;
      shared = {
        forms: new Map(Object.entries(built.forms)),
        hypernyms: new Map(Object.entries(built.hypernyms ?? {})),
      };
    } catch {
      shared = { forms: new Map(), hypernyms: new Map() };
    }
  }
  return shared;
}

/** The documents' words a word (by its form) shares a WordNet synset with (none when unknown). */
export function synonymsOf(form: string): readonly string[] {
  return table().forms.get(form) ?? [];
}

/**
 * The forms of the more general nouns a keyword word (by its form) is a kind of in WordNet, one
 * step up ("flight" → "trip"); none for a word outside the documents' keywords.
 */
export function hypernymsOf(form: string): readonly string[] {
  return table().hypernyms.get(form) ?? [];
}
