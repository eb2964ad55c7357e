/**
 * Functions run_query may call: pure or read-only built-ins (aggregates, window functions, math,
 * text, date/time, arrays, JSON, text search) and pgvector's distance functions. Everything else is
 * refused by name, so new dangerous built-ins stay out by default: `set_config`, `pg_sleep`,
 * `pg_read_file`, `lo_*`, `dblink*`, `pg_terminate_backend`, advisory locks, `nextval`,
 * `query_to_xml` (runs SQL text), `txid_current`, `setseed`, and the allocation amplifiers
 * `repeat`, `lpad`, `rpad`, `array_fill` and `factorial`.
 */

// biome-ignore format: grouped by kind, one family a line
const BUILTINS = [
  // aggregates
  "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg",
  "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
  "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "corr", "covar_pop",
  "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "regr_count", "percentile_cont",
  "percentile_disc", "mode", "any_value",
  // window functions
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
  "first_value", "last_value", "nth_value",
  // math
  "abs", "ceil", "ceiling", "floor", "round", "trunc", "sign", "sqrt", "cbrt", "power", "pow",
  "exp", "ln", "log", "log10", "mod", "div", "pi", "degrees", "radians", "sin", "cos", "tan",
  "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "random", "width_bucket", "gcd", "lcm",
  "scale",
  // text
  "length", "char_length", "character_length", "octet_length", "bit_length", "lower", "upper",
  "initcap", "btrim", "ltrim", "rtrim", "substr", "substring", "position", "strpos", "replace",
  "split_part", "concat", "concat_ws", "left", "right", "reverse", "format", "regexp_replace",
  "regexp_match", "regexp_matches", "regexp_split_to_array", "regexp_split_to_table", "regexp_like",
  "regexp_count", "regexp_instr", "regexp_substr", "starts_with", "md5", "translate", "ascii", "chr",
  "quote_ident", "quote_literal", "quote_nullable", "to_hex", "string_to_array", "string_to_table",
  "array_to_string", "overlay", "normalize", "is_normalized", "unistr", "similar_to_escape",
  "like_escape", "encode", "decode",
  // date and time
  "now", "date_trunc", "date_part", "extract", "age", "make_date", "make_time", "make_timestamp",
  "make_timestamptz", "make_interval", "justify_days", "justify_hours", "justify_interval",
  "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "date_bin",
  "isfinite", "to_char", "to_date", "to_timestamp", "to_number", "timezone", "overlaps",
  // arrays
  "array_length", "array_upper", "array_lower", "array_dims", "array_ndims", "cardinality",
  "array_position", "array_positions", "array_append", "array_prepend", "array_cat", "array_remove",
  "array_replace", "unnest", "generate_subscripts", "array_to_json", "trim_array",
  // JSON
  "to_json", "to_jsonb", "row_to_json", "json_build_object", "jsonb_build_object",
  "json_build_array", "jsonb_build_array", "json_object", "jsonb_object", "json_array_elements",
  "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text", "json_each",
  "jsonb_each", "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
  "json_extract_path", "jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text",
  "json_typeof", "jsonb_typeof", "json_array_length", "jsonb_array_length", "jsonb_pretty",
  "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set", "jsonb_insert", "jsonb_path_query",
  "jsonb_path_query_array", "jsonb_path_query_first", "jsonb_path_exists", "jsonb_path_match",
  "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
  // full-text search
  "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery",
  "ts_rank", "ts_rank_cd", "ts_headline",
  // sets, casts written as calls, and harmless introspection
  "generate_series", "num_nonnulls", "num_nulls", "nullif", "current_setting", "pg_typeof",
  "format_type", "version", "gen_random_uuid", "current_database", "current_schema",
  "int2", "int4", "int8", "float4", "float8", "numeric", "text", "date", "bool",
] as const;

/** pgvector lives in the schema it was created in (public), so it may also be called qualified. */
// biome-ignore format: one list
const PGVECTOR = [
  "cosine_distance", "l2_distance", "inner_product", "l1_distance", "vector_dims", "vector_norm",
  "l2_norm", "l2_normalize", "subvector", "binary_quantize", "hamming_distance", "jaccard_distance",
] as const;

const builtins: ReadonlySet<string> = new Set(BUILTINS);
const pgvector: ReadonlySet<string> = new Set(PGVECTOR);

/** Families never allowed whatever list they might be added to, with the reason given. */
const NEVER: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /^(ts_stat|query_to_xml.*|cursor_to_xml.*|table_to_xml.*|schema_to_xml.*|database_to_xml.*|xpath.*|xmltable|dblink.*|pg_execute.*)$/,
    "runs SQL text or reads outside the query",
  ],
  [/^(pg_(try_)?advisory_.*|pg_locks?_.*)$/, "takes locks"],
  [/^pg_sleep.*$/, "sleeps"],
  [/^(set_config|setseed|pg_reload_conf)$/, "changes settings"],
  [/^(pg_terminate_backend|pg_cancel_backend|pg_signal_backend|pg_notify)$/, "signals other sessions"],
];

/**
 * Whether a call to `schema.name` (schema absent when unqualified) is allowed. Names come from the
 * parser already folded to lower case unless quoted; a quoted mixed-case name never matches.
 */
export function isAllowedFunction(schema: string | undefined, name: string): boolean {
  if (NEVER.some(([family]) => family.test(name))) return false;
  if (schema === undefined) return builtins.has(name) || pgvector.has(name);
  if (schema === "pg_catalog") return builtins.has(name);
  if (schema === "public") return pgvector.has(name);
  return false;
}

/** Why a call is refused, or `undefined` when it is allowed. */
export function functionRefusal(schema: string | undefined, name: string): string | undefined {
  if (isAllowedFunction(schema, name)) return undefined;
  const shown = schema === undefined ? name : `${schema}.${name}`;
  const never = NEVER.find(([family]) => family.test(name));
  return never
    ? `function ${shown}() ${never[1]} and is never allowed in run_query`
    : `function ${shown}() is not allowed in run_query (only read-only built-ins are)`;
}
