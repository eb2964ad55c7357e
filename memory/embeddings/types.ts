/** One embedder interface; the Titan adapter and the local embedder implement it. */
export interface Embedder {
  /** Stable id recorded with stored vectors, e.g. `amazon.titan-embed-text-v2:0` or `flightly-local-v1`. */
  readonly modelId: string;
  readonly dimensions: number;
  /** One vector per text, same order, unit length (cosine similarity = dot product). */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}
