/** Seat, sort order and a selection from an earlier list ("the second one", "the cheapest"). */
import type { Scan } from "./scan.js";
import type { Slots } from "./types.js";

const SORTS: ReadonlyArray<{ re: RegExp; sort: NonNullable<Slots["sort"]> }> = [
  {
    re: /\b(?:cheapest|cheaper|cheap|lowest (?:price|fare|cost)|least expensive|best price|budget option)\b/,
    sort: "price",
  },
  { re: /\b(?:earliest|soonest|first (?:flight|departure)|leave (?:as )?early)\b/, sort: "departure" },
  { re: /\b(?:fastest|shortest|quickest)\b/, sort: "duration" },
];

const ORDINALS: Readonly<Record<string, number>> = {
  first: 0,
  // "the top one": the first of the list as shown.
  top: 0,
  "1st": 0,
  second: 1,
  "2nd": 1,
  third: 2,
  "3rd": 2,
  fourth: 3,
  "4th": 3,
  fifth: 4,
  "5th": 4,
  last: -1,
};

export function extractPreferences(scan: Scan, out: Slots): void {
  const seat = /\b(window|aisle)\b/.exec(scan.lower);
  if (seat) out.seat = seat[1] as "window" | "aisle";

  const sorts = SORTS.map((s) => ({ at: s.re.exec(scan.lower)?.index, sort: s.sort }))
    .filter((s): s is { at: number; sort: NonNullable<Slots["sort"]> } => s.at !== undefined)
    .sort((a, b) => a.at - b.at);
  if (sorts[0]) out.sort = sorts[0].sort;

  const the =
    /\b(?:the|that)\s+(cheapest|earliest|fastest|latest|first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last|top(?=\s+(?:one|option|result|choice|pick|hotel|flight)\b))\b(?!\s+(?:week|weekend|half|day|days|of|time|thing|night|nights))/.exec(
      scan.lower,
    );
  const numbered = /\b(?:option|number|choice|no\.|#)\s*(\d)\b/.exec(scan.lower);
  if (the) {
    const word = the[1]!;
    const index = ORDINALS[word];
    out.selection =
      index !== undefined
        ? { by: "index", index }
        : { by: word as "cheapest" | "earliest" | "fastest" | "latest" };
  } else if (numbered) {
    out.selection = { by: "index", index: Number(numbered[1]) - 1 };
  }
}
