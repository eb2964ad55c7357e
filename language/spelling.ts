/**
 * Spelling correction against a closed vocabulary (the words of the documents being searched):
 * a word that is no known word is replaced by the vocabulary word nearest by Damerau-Levenshtein
 * distance (one edit for short words, two for long ones), the more frequent on a tie, or split in
 * two vocabulary words when it runs them together ("powerbank" → "power bank").
 */

/** Optimal string alignment distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

export interface SpellerOptions {
  /** Words that are right as written though the vocabulary lacks them (a dictionary). */
  known?: (word: string) => boolean;
  /** Shortest word corrected (default 4). */
  minLength?: number;
}

export class Speller {
  readonly #counts: ReadonlyMap<string, number>;
  readonly #known: (word: string) => boolean;
  readonly #minLength: number;
  readonly #cache = new Map<string, string>();

  /** `counts`: each vocabulary word with how often it occurs. */
  constructor(counts: ReadonlyMap<string, number>, options: SpellerOptions = {}) {
    this.#counts = counts;
    this.#known = options.known ?? (() => false);
    this.#minLength = options.minLength ?? 4;
  }

  /** The corrected word (possibly two words), or the word itself. */
  correct(word: string): string {
    const w = word.toLowerCase();
    if (this.#counts.has(w) || !/^[a-z]+$/.test(w) || w.length < this.#minLength || this.#known(w)) return w;
    const cached = this.#cache.get(w);
    if (cached !== undefined) return cached;
    const max = w.length >= 7 ? 2 : 1;
    let best = w;
    let bestDistance = max + 1;
    let bestCount = 0;
    for (const [candidate, count] of this.#counts) {
      if (candidate.length < 3) continue;
      const d = editDistance(w, candidate, max);
      if (d < bestDistance || (d === bestDistance && count > bestCount)) {
        best = candidate;
        bestDistance = d;
        bestCount = count;
      }
    }
    if (bestDistance > max) best = this.#split(w) ?? w;
    this.#cache.set(w, best);
    return best;
  }

  /** Two vocabulary words run together, each at least three letters. */
  #split(w: string): string | undefined {
    for (let i = 3; i <= w.length - 3; i++) {
      const head = w.slice(0, i);
      const tail = w.slice(i);
      if (this.#counts.has(head) && (this.#counts.has(tail) || this.#counts.has(`${tail}s`)))
        return `${head} ${this.#counts.has(tail) ? tail : `${tail}s`}`;
    }
    return undefined;
  }

  /** Every word of a text corrected; other characters kept. */
  correctText(text: string): string {
    return text.replace(/[a-z]+/gi, (w) => this.correct(w));
  }
}
