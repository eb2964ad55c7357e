/**
 * Text folding: accents off, curly apostrophes straight, dashes to hyphens, case kept. The one
 * normal form that the gazetteer, the slot and entity readers and the local embedder's vocabulary
 * (which lower-cases it) agree on.
 */
export function foldText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[‘’ʼ]/g, "'")
    .replace(/[‐‑‒–—]/g, "-");
}
