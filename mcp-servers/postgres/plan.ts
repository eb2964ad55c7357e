/**
 * The second layer of run_query: the functions Postgres itself resolved the statement to, read from
 * its verbose plan (`EXPLAIN (VERBOSE, FORMAT JSON)`, never ANALYZE). Whatever the syntax —
 * `fn(x)`, attribute notation `(x).fn`, `x.fn`, calls inside subqueries, CTEs, LATERAL or VALUES —
 * the deparsed expressions of a verbose plan print each resolved call as `name(…)` (qualified when
 * not on the search path), so every call that will execute appears there. SQL-standard forms that
 * deparse as upper-case keywords (`EXTRACT(…)`, `SUBSTRING(…)`, `COALESCE(…)`, `ROW(…)`) map to a
 * fixed set of built-ins and are skipped; casts and operators come from the built-in catalogue,
 * which run_query cannot extend.
 */

export interface PlanFunction {
  readonly schema: string | undefined;
  readonly name: string;
}

/** Plan fields that name things rather than hold expressions. */
const NOT_EXPRESSIONS: ReadonlySet<string> = new Set([
  "Node Type",
  "Strategy",
  "Partial Mode",
  "Parent Relationship",
  "Subplan Name",
  "Relation Name",
  "Schema",
  "Alias",
  "Index Name",
  "Join Type",
  "Scan Direction",
  "Command",
  "Operation",
  "CTE Name",
  "Setop Kind",
]);

/** Words after `::` that continue a type name (`character varying`, `with time zone`, …). */
const TYPE_WORDS: ReadonlySet<string> = new Set(["varying", "precision", "with", "without", "time", "zone"]);

type Token =
  | { kind: "word"; text: string; quoted: boolean; end: number }
  | { kind: "punct"; text: string; end: number };

/** Tokens of a deparsed expression; string literals are dropped, quoted identifiers unquoted. */
function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === "'") {
      // '…' with '' as the escaped quote (E'…' doubles backslashes and quotes alike).
      i++;
      while (i < expr.length) {
        if (expr[i] === "'" && expr[i + 1] === "'") i += 2;
        else if (expr[i] === "'") break;
        else i++;
      }
      i++;
      tokens.push({ kind: "punct", text: "literal", end: i });
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < expr.length) {
        if (expr[i] === '"' && expr[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (expr[i] === '"') break;
        else text += expr[i++];
      }
      i++;
      tokens.push({ kind: "word", text, quoted: true, end: i });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(expr.slice(i))!;
      i += m[0].length;
      tokens.push({ kind: "word", text: m[0], quoted: false, end: i });
    } else if (c === ":" && expr[i + 1] === ":") {
      i += 2;
      tokens.push({ kind: "punct", text: "::", end: i });
    } else if (/\s/.test(c)) {
      i++;
    } else {
      i++;
      tokens.push({ kind: "punct", text: c, end: i });
    }
  }
  return tokens;
}

/** Skips the type name after `::` (with typmods and array brackets); returns the next index. */
function skipType(tokens: Token[], start: number): number {
  let i = start;
  if (tokens[i]?.kind === "word") i++;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.text === "." && tokens[i + 1]?.kind === "word") i += 2;
    else if (t.kind === "word" && !t.quoted && TYPE_WORDS.has(t.text)) i++;
    else if (t.text === "[" && tokens[i + 1]?.text === "]") i += 2;
    else if (t.text === "(") {
      let j = i + 1;
      while (j < tokens.length && tokens[j]!.text !== ")" && /^(\d+|,)$/.test(tokens[j]!.text)) j++;
      if (tokens[j]?.text !== ")") break;
      i = j + 1;
    } else break;
  }
  return i;
}

/** Function calls in one deparsed expression. */
export function functionsInExpression(expr: string): PlanFunction[] {
  const tokens = tokenize(expr);
  const found: PlanFunction[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "punct" && t.text === "::") {
      i = skipType(tokens, i + 1) - 1;
      continue;
    }
    const next = tokens[i + 1];
    // A call is a name directly followed by "(" (the deparser never puts a space there).
    if (t.kind !== "word" || next?.text !== "(" || next.end !== t.end + 1) continue;
    // Unquoted words with capitals are SQL keywords (ROW, ARRAY, EXISTS, EXTRACT, COALESCE, …):
    // the deparser prints every function name through quote_identifier, lower case or quoted.
    if (!t.quoted && /[A-Z]/.test(t.text)) continue;
    const qualified = tokens[i - 1]?.text === "." && tokens[i - 2]?.kind === "word";
    found.push({ schema: qualified ? tokens[i - 2]!.text : undefined, name: t.text });
  }
  return found;
}

/** Every function a verbose JSON plan (the `QUERY PLAN` value) shows a call of. */
export function functionsInPlan(plan: unknown): PlanFunction[] {
  const found: PlanFunction[] = [];
  const stack: unknown[] = [plan];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    for (const [key, child] of Object.entries(value)) {
      if (NOT_EXPRESSIONS.has(key)) continue;
      if (key === "Function Name" && typeof child === "string") {
        const schema = (value as Record<string, unknown>).Schema;
        found.push({ schema: typeof schema === "string" ? schema : undefined, name: child });
      } else if (typeof child === "string") {
        found.push(...functionsInExpression(child));
      } else if (Array.isArray(child) && child.every((c) => typeof c === "string")) {
        for (const c of child) found.push(...functionsInExpression(c));
      } else if (child !== null && typeof child === "object") {
        stack.push(child);
      }
    }
  }
  return found;
}
