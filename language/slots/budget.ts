/** A budget: an amount in US dollars and what it is per (night, person, total, or unsaid). */
import type { Scan } from "./scan.js";
import type { Budget, BudgetPer, Slots } from "./types.js";

const AMOUNT = "(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d{1,2}))?(?:\\s*(k)\\b)?";
const MONEY_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?:\\$|\\busd\\s*|\\bus\\$\\s*)\\s*${AMOUNT}(?:\\s*(?:usd|dollars|bucks)\\b)?`),
  new RegExp(`\\b${AMOUNT}\\s*(?:usd|dollars|bucks)\\b`),
  new RegExp(`\\bbudget\\s*(?:of|is|around|about|:)?\\s*${AMOUNT}\\b`),
  new RegExp(`\\b${AMOUNT}\\s*(?=(?:a|per|/)\\s*night)`),
];
const PER_NIGHT_AFTER = /^\s*(?:a|per|\/|each|every)\s*night|^\s*nightly/;
const PER_NIGHT_BEFORE = /\bnightly(?:\s+(?:rate|budget|price))?\s*(?:of|is|around|about|:)?\s*$/;
const PER_PERSON_AFTER =
  /^\s*(?:(?:a|per|\/|each)\s*(?:person|head|ticket|passenger|traveller|traveler|seat)|pp\b|each\b)/;
const TOTAL_BEFORE = /\b(?:budget|total|spend|spending|altogether|overall)\b[^.$]{0,20}$/;
const TOTAL_AFTER = /^\s*(?:total|in total|all in|altogether|budget|overall)\b/;
const CAP_BEFORE =
  /(?:\b(?:under|below|less than|max(?:imum)?|up to|no more than|at most|cheaper than|within|around|about)|<)\s*$/;

function amountOf(m: RegExpExecArray): number {
  const whole = Number((m[1] ?? "0").replace(/,/g, ""));
  const cents = m[2] ? Number(`0.${m[2]}`) : 0;
  return (whole + cents) * (m[3] ? 1000 : 1);
}

export function extractBudget(scan: Scan, out: Slots): void {
  const found: Array<{ at: number; end: number; budget: Budget }> = [];
  for (const re of MONEY_PATTERNS) {
    for (const m of scan.each(re)) {
      const start = m.index;
      const end = start + m[0].length;
      const before = scan.sliceLower(Math.max(0, start - 40), start);
      const after = scan.sliceLower(end, end + 24);
      const amountUsd = amountOf(m);
      let per: BudgetPer | undefined;
      if (PER_NIGHT_AFTER.test(after) || PER_NIGHT_BEFORE.test(before)) per = "night";
      else if (PER_PERSON_AFTER.test(after)) per = "person";
      else if (/^budget/.test(m[0]) || TOTAL_BEFORE.test(before) || TOTAL_AFTER.test(after)) per = "total";
      else if (CAP_BEFORE.test(before)) per = "unspecified";
      if (per === undefined || amountUsd <= 0) continue;
      const suffix =
        per === "night"
          ? PER_NIGHT_AFTER.exec(after)
          : per === "person"
            ? PER_PERSON_AFTER.exec(after)
            : null;
      found.push({ at: start, end: end + (suffix?.[0].length ?? 0), budget: { amountUsd, per } });
      scan.take(start, end + (suffix?.[0].length ?? 0));
    }
  }
  found.sort((a, b) => a.at - b.at);
  if (found[0]) out.budget = found[0].budget;
}
