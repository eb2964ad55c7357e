/** Who travels: adults, children and their ages, the party size. */
import { NUM, NUM_OR_A, type Scan, toNumber } from "./scan.js";
import type { Slots } from "./types.js";

const CHILD =
  "(?:kids?|children|child|sons?|daughters?|boys?|girls?|toddlers?|teens?|teenagers?|little ones)";
const AGE_LIST = "(\\d{1,2}(?:\\s*(?:,|and|&|\\+)\\s*(?:and\\s+)?\\d{1,2})*)";
const AGE_SUFFIX =
  "(?:\\s*(?:years?\\s*old|yrs?(?:\\s*old)?|y/?o))?(?!\\s*(?:adults?|people|persons|passengers|grown|travell?ers|guests|nights?|days?))";

interface PartyFacts {
  adults?: number;
  childCount?: number;
  total?: number;
  ages: number[];
}

interface PartyRule {
  re: RegExp;
  read(m: RegExpExecArray, facts: PartyFacts): void;
}

const ages = (list: string): number[] =>
  (list.match(/\d{1,2}/g) ?? []).map(Number).filter((n) => n >= 0 && n <= 17);

const PARTY_RULES: readonly PartyRule[] = [
  {
    // "kids aged 4 and 8", "two kids (4 and 8)", "children ages 4, 8", "kids 4 and 8"
    re: new RegExp(
      `\\b(?:${NUM}\\s+)?${CHILD}\\b\\s*[(,:-]?\\s*(?:(?:who\\s+are|are|aged|ages?|of\\s+ages?)\\s+)?${AGE_LIST}${AGE_SUFFIX}\\)?`,
    ),
    read: (m, f) => {
      f.ages.push(...ages(m[2]!));
      const n = toNumber(m[1]);
      if (n !== undefined) f.childCount = Math.max(f.childCount ?? 0, n);
    },
  },
  {
    re: new RegExp(`\\b(?:aged?|ages)\\s+${AGE_LIST}${AGE_SUFFIX}`),
    read: (m, f) => {
      f.ages.push(...ages(m[1]!));
    },
  },
  {
    // "a 4-year-old and an 8-year-old", "my 6 year old"
    re: /\b(\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*old\b|\b(\d{1,2})\s*y\/?o\b/,
    read: (m, f) => {
      f.ages.push(...ages(m[1] ?? m[2] ?? ""));
    },
  },
  {
    re: /\b(?:a|our|my|one|an)\s+(?:baby|infant|newborn)\b/,
    read: (_m, f) => {
      f.ages.push(0);
    },
  },
  {
    re: new RegExp(`\\b${NUM_OR_A}\\s+(?:adults?|grown[- ]?ups|parents)\\b`),
    read: (m, f) => {
      const n = toNumber(m[1]);
      if (n !== undefined) f.adults = n;
    },
  },
  {
    re: new RegExp(`\\b${NUM}\\s+${CHILD}\\b`),
    read: (m, f) => {
      f.childCount = Math.max(f.childCount ?? 0, toNumber(m[1]) ?? 0);
    },
  },
  {
    re: new RegExp(
      `\\b(?:family|party|group|team)\\s+of\\s+${NUM}\\b|\\b${NUM}\\s+(?:people|ppl|persons?|passengers?|travell?ers?|guests?|pax|tickets?|seats?|of us)\\b|\\bwe\\s+are\\s+${NUM}\\b|\\b(?:table|room)\\s+for\\s+${NUM}\\b`,
    ),
    read: (m, f) => {
      const n = toNumber(m[1] ?? m[2] ?? m[3] ?? m[4]);
      if (n !== undefined) f.total = n;
    },
  },
  {
    re: /\b(?:my\s+(?:wife|husband|partner|spouse|girlfriend|boyfriend|fiancee?)|a\s+couple|the\s+two\s+of\s+us|both\s+of\s+us)\b/,
    read: (_m, f) => {
      f.adults ??= 2;
    },
  },
  {
    re: /\b(?:just\s+me|only\s+me|by\s+myself|solo|travell?ing\s+alone|on\s+my\s+own)\b/,
    read: (_m, f) => {
      f.adults ??= 1;
    },
  },
];

export function extractParty(scan: Scan, out: Slots): void {
  const facts: PartyFacts = { ages: [] };
  for (const rule of PARTY_RULES) {
    for (const m of scan.each(rule.re)) {
      rule.read(m, facts);
      scan.take(m.index, m.index + m[0].length);
    }
  }
  if (facts.ages.length > 0) out.childrenAges = facts.ages;
  const children = Math.max(facts.ages.length, facts.childCount ?? 0);
  if (children > 0) out.children = children;
  const adults =
    facts.adults ?? (facts.total !== undefined ? Math.max(1, facts.total - children) : undefined);
  if (adults !== undefined) {
    out.adults = adults;
    out.passengers = Math.max(adults + children, facts.total ?? 0);
  } else if (facts.total !== undefined) {
    out.passengers = facts.total;
  }
}
