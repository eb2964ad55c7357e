/**
 * Airlines the entity guard recognises besides the shipped ones (`data/airlines.json`): common
 * carriers from public IATA code lists, by name and by two-letter code. Names count in any case;
 * a bare two-letter code counts only in airline context ("on DL", "UA flights", "airline AS").
 */
import { defaultGazetteer } from "./gazetteer.js";

/** Public IATA designators of common carriers, with the names customers use. */
const CARRIERS: ReadonlyArray<readonly [code: string, names: readonly string[]]> = [
  ["AA", ["american airlines", "american"]],
  ["DL", ["delta air lines", "delta airlines", "delta"]],
  ["UA", ["united airlines", "united"]],
  ["US", ["us airways", "us air", "usair"]],
  ["AS", ["alaska airlines", "alaska air"]],
  ["WN", ["southwest airlines", "southwest"]],
  ["B6", ["jetblue airways", "jetblue", "jet blue"]],
  ["CO", ["continental airlines", "continental"]],
  ["TW", ["trans world airlines", "twa"]],
  ["EA", ["eastern airlines", "eastern"]],
  ["HP", ["america west airlines", "america west"]],
  ["NK", ["spirit airlines", "spirit"]],
  ["F9", ["frontier airlines", "frontier"]],
  ["HA", ["hawaiian airlines", "hawaiian"]],
  ["AC", ["air canada"]],
  ["BA", ["british airways"]],
  ["AF", ["air france"]],
  ["KL", ["klm royal dutch airlines", "klm"]],
  ["LH", ["lufthansa"]],
  ["EK", ["emirates"]],
  ["QF", ["qantas"]],
  ["JL", ["japan airlines", "jal"]],
  ["NH", ["all nippon airways", "ana"]],
  ["SQ", ["singapore airlines"]],
  ["CX", ["cathay pacific"]],
  ["LX", ["swiss international air lines", "swiss air", "swissair"]],
  ["IB", ["iberia"]],
  ["AZ", ["alitalia", "ita airways"]],
  ["SK", ["scandinavian airlines", "sas"]],
  ["FR", ["ryanair"]],
  ["U2", ["easyjet"]],
  ["VS", ["virgin atlantic"]],
  ["TK", ["turkish airlines"]],
  ["LA", ["latam airlines", "latam"]],
  ["ML", ["midway airlines"]],
  ["YX", ["midwest express"]],
];

/** Names that are also everyday words count only next to an airline word or after "on"/"with"/"fly". */
const AMBIGUOUS = new Set([
  "american",
  "united",
  "delta",
  "eastern",
  "continental",
  "southwest",
  "frontier",
  "spirit",
  "swiss air",
  "emirates",
  "hawaiian",
  "alaska air",
]);

interface CarrierTable {
  names: Array<{ re: RegExp; code: string; ambiguous: boolean }>;
  codes: Set<string>;
}

let table: CarrierTable | undefined;

function carrierTable(): CarrierTable {
  if (table) return table;
  const names: CarrierTable["names"] = [];
  const codes = new Set<string>();
  for (const [code, list] of CARRIERS) {
    codes.add(code.toLowerCase());
    for (const n of list) {
      names.push({
        re: new RegExp(`\\b${n.replace(/ /g, "\\s+")}\\b`, "g"),
        code,
        ambiguous: AMBIGUOUS.has(n),
      });
    }
  }
  // Longest names first, so "delta air lines" wins over "delta".
  names.sort((a, b) => b.re.source.length - a.re.source.length);
  table = { names, codes };
  return table;
}

const AIRLINE_CONTEXT_BEFORE = /\b(?:on|with|fly|flying|flies|via|by|take|airline|airlines|carrier|code)\s+$/;
const AIRLINE_CONTEXT_AFTER = /^\s*(?:air(?:lines?|ways)?|flights?|planes?|jets?|fares?|carrier|service)\b/;

/** A carrier mention: its code and where it is in `lower`. */
export interface CarrierMention {
  code: string;
  start: number;
  end: number;
}

/** Carrier names and airline-context codes in lower-cased, folded text, in reading order. */
export function findCarriers(lower: string): CarrierMention[] {
  const t = carrierTable();
  const found: CarrierMention[] = [];
  // Characters already read as a carrier: one flag per character keeps the overlap test linear.
  const used = new Uint8Array(lower.length);
  const taken = (s: number, e: number): boolean => used.subarray(s, e).some((x) => x === 1);
  const take = (code: string, s: number, e: number): void => {
    used.fill(1, s, e);
    found.push({ code, start: s, end: e });
  };
  const inContext = (s: number, e: number): boolean =>
    AIRLINE_CONTEXT_BEFORE.test(lower.slice(Math.max(0, s - 12), s)) ||
    AIRLINE_CONTEXT_AFTER.test(lower.slice(e, e + 12));
  for (const n of t.names) {
    for (const m of lower.matchAll(n.re)) {
      const s = m.index ?? 0;
      const e = s + m[0].length;
      if (taken(s, e) || (n.ambiguous && !inContext(s, e))) continue;
      take(n.code, s, e);
    }
  }
  for (const m of lower.matchAll(/\b[a-z0-9]{2}\b/g)) {
    const s = m.index ?? 0;
    const e = s + 2;
    const known = t.codes.has(m[0]) || defaultGazetteer().airline(m[0])?.code.toLowerCase() === m[0];
    if (!known || taken(s, e) || !/[a-z]/.test(m[0]) || !inContext(s, e)) continue;
    take(m[0].toUpperCase(), s, e);
  }
  return found.sort((a, b) => a.start - b.start);
}
