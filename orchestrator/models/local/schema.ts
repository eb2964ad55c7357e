/**
 * Makes a planned tool input valid for the tool's JSON Schema: keeps only declared properties,
 * coerces numbers and integers, drops values outside an enum or a bound it cannot clamp, and
 * reports a missing required property instead of sending a call that would fail.
 */
import type { JsonValue } from "../types.js";

type Schema = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function types(schema: Schema): string[] {
  const t = schema.type;
  return Array.isArray(t)
    ? t.filter((x): x is string => typeof x === "string")
    : typeof t === "string"
      ? [t]
      : [];
}

function clamp(n: number, schema: Schema): number | undefined {
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
  const exMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  if (exMin !== undefined && n <= exMin) return undefined;
  let v = n;
  if (min !== undefined && v < min) v = min;
  if (max !== undefined && v > max) v = max;
  return v;
}

function coerceOne(value: unknown, schema: Schema): JsonValue | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.includes(value) ? (value as JsonValue) : undefined;
  if ("const" in schema) return schema.const === value ? (value as JsonValue) : undefined;
  const t = types(schema);
  if (t.length === 0) return value as JsonValue;
  for (const type of t) {
    if (type === "integer" || type === "number") {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) continue;
      return clamp(type === "integer" ? Math.round(n) : n, schema);
    }
    if (type === "string" && (typeof value === "string" || typeof value === "number")) {
      const s = String(value);
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(s)) continue;
      if (typeof schema.minLength === "number" && s.length < schema.minLength) continue;
      return typeof schema.maxLength === "number" ? s.slice(0, schema.maxLength) : s;
    }
    if (type === "boolean" && typeof value === "boolean") return value;
    if (type === "array" && Array.isArray(value)) {
      const items = isRecord(schema.items) ? schema.items : {};
      const out = value.map((v) => coerceOne(v, items)).filter((v): v is JsonValue => v !== undefined);
      const max = typeof schema.maxItems === "number" ? schema.maxItems : out.length;
      return out.length > 0 ? out.slice(0, max) : undefined;
    }
    if (type === "object" && isRecord(value)) return value as JsonValue;
    if (type === "null" && value === null) return null;
  }
  return undefined;
}

function coerce(value: unknown, schema: Schema): JsonValue | undefined {
  const variants = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (!variants) return coerceOne(value, schema);
  for (const v of variants) {
    if (!isRecord(v)) continue;
    const out = coerceOne(value, v);
    if (out !== undefined) return out;
  }
  return undefined;
}

/**
 * The input fitted to `schema`, or `undefined` when a required property is missing.
 * A schema without `properties` accepts the input as it is.
 */
export function fitInput(
  input: Record<string, unknown>,
  schema: Schema,
): Record<string, JsonValue> | undefined {
  const props = isRecord(schema.properties) ? schema.properties : undefined;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!props) {
      out[key] = value as JsonValue;
      continue;
    }
    const prop = props[key];
    if (!isRecord(prop)) continue;
    const fitted = coerce(value, prop);
    if (fitted !== undefined) out[key] = fitted;
  }
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [];
  return required.every((r) => r in out) ? out : undefined;
}
