/** pgvector text form for query parameters (`$1::vector`), via the pgvector package. */
import pgvector from "pgvector";

export const toVector = (v: Float32Array | readonly number[]): string =>
  pgvector.toSql(Array.from(v)) as string;
export const fromVector = (text: string): number[] => pgvector.fromSql(text) as number[];
