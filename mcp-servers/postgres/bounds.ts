/**
 * Argument bounds for the allowed functions whose work or output size their arguments decide, so
 * that a query's cost stays what the planner sees (and its cost cap bounds) and no value grows
 * past a fixed multiple of the statement's own text:
 *
 * - `generate_series` takes number literals only: the planner then knows its row count exactly
 *   (`generate_series(1, (SELECT 25000000))` is estimated at 1,000 rows and would run unbounded);
 * - `format` takes a literal format string with widths of at most `MAX_FORMAT_WIDTH` and no `*`;
 * - `replace`, `regexp_replace` and `overlay` take literal replacements without
 *   back-references, and the product of their lengths over a statement stays under
 *   `MAX_REPLACE_GROWTH` (nesting would otherwise multiply a string's size at every level).
 *
 * Allocation amplifiers without a useful bound (`repeat`, `lpad`, `rpad`, `array_fill`) are off the
 * allow-list altogether. Every call these rules see is explicit: attribute notation `(x).fn` only
 * passes one argument, and none of these functions does harm with one.
 */

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

const MAX_FORMAT_WIDTH = 1_000;
const MAX_REPLACE_GROWTH = 64;

/** Mutable per-statement state of the bounds. */
export interface BoundsBudget {
  growth: number;
}

export const newBudget = (): BoundsBudget => ({ growth: 1 });

/** The constant inside a node: literal, negated literal, or a literal with a cast. */
function constant(node: unknown): { kind: "number" | "string" | "other"; value: string } | undefined {
  if (!isNode(node)) return undefined;
  if (isNode(node.TypeCast)) return constant(node.TypeCast.arg);
  const c = isNode(node.A_Const) ? node.A_Const : undefined;
  if (!c) return undefined;
  if (isNode(c.ival)) return { kind: "number", value: String(c.ival.ival ?? 0) };
  if (isNode(c.fval)) return { kind: "number", value: String(c.fval.fval ?? "0") };
  if (isNode(c.sval)) return { kind: "string", value: String(c.sval.sval ?? "") };
  return { kind: "other", value: "" };
}

/** Widths in a format() string: `%[n$][-][width|*[n$]]type`. */
function formatProblem(spec: string): string | undefined {
  for (const m of spec.matchAll(/%(?:\d+\$)?(-?)(\*(?:\d+\$)?|\d+)?([sIL%])?/g)) {
    const width = m[2];
    if (width?.startsWith("*")) return "a width taken from an argument (*)";
    if (width !== undefined && Number(width) > MAX_FORMAT_WIDTH) return `a width of ${width}`;
  }
  return undefined;
}

const REPLACEMENT_ARG: Readonly<Record<string, number>> = {
  replace: 2,
  regexp_replace: 2,
  overlay: 1,
};

/** Why a call to `name` with these parse-tree arguments is refused, if it is. */
export function callBoundsRefusal(name: string, args: unknown[], budget: BoundsBudget): string | undefined {
  if (name === "generate_series") {
    if (!args.every((a) => constant(a)?.kind === "number")) {
      return (
        "generate_series takes number literals only here (then the planner knows its size and the cost " +
        "limit bounds it); for dates, add the numbers to a date: date '2025-01-01' + g FROM generate_series(0, 30) g"
      );
    }
    return undefined;
  }
  if (name === "format") {
    const spec = constant(args[0]);
    if (spec?.kind !== "string") return "format() takes a literal format string here";
    const problem = formatProblem(spec.value);
    if (problem) return `format() with ${problem} is not allowed (widths up to ${MAX_FORMAT_WIDTH})`;
    return undefined;
  }
  const at = REPLACEMENT_ARG[name];
  if (at !== undefined && args.length > at) {
    const replacement = constant(args[at]);
    if (replacement?.kind !== "string") return `${name}() takes a literal replacement text here`;
    if (name === "regexp_replace" && replacement.value.includes("\\")) {
      return "regexp_replace() replacements with back-references (\\1, \\&) are not allowed here";
    }
    budget.growth *= Math.max(1, [...replacement.value].length);
    if (budget.growth > MAX_REPLACE_GROWTH) {
      return `replacement texts that could grow a value more than ${MAX_REPLACE_GROWTH}-fold are not allowed`;
    }
  }
  return undefined;
}
