/** A JSON value: what tool inputs and results, checkpoints and stored memories are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
