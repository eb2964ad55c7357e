/** Contact details, booking references and the last four digits of a card. */
import type { Scan } from "./scan.js";
import type { Slots } from "./types.js";

export function extractEmails(scan: Scan, out: Slots): void {
  const seen = new Set(out.emails.map((e) => e.toLowerCase()));
  for (const m of scan.each(
    /(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}/,
  )) {
    const email = scan.slice(m.index, m.index + m[0].length);
    if (!seen.has(m[0])) out.emails.push(email);
    seen.add(m[0]);
    scan.take(m.index, m.index + m[0].length);
  }
}

export function extractRefs(scan: Scan, out: Slots): void {
  // Flight bookings (FL-…) and hotel stays (HT-…).
  for (const m of scan.each(/\b(?:fl|ht)-[a-z0-9]{6}\b/)) {
    const ref = m[0].toUpperCase();
    if (!out.bookingRefs.includes(ref)) out.bookingRefs.push(ref);
    scan.take(m.index, m.index + m[0].length);
  }
}

export function extractCard(scan: Scan, out: Slots): void {
  const re =
    /\b(?:card|visa|mastercard|amex|debit|credit)\b[^.\n]{0,25}?(?:ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is))?|x{2,}|\*{2,})\s*(\d{4})\b/;
  for (const m of scan.each(re)) {
    out.cardLast4 ??= m[1]!;
    scan.take(m.index, m.index + m[0].length);
  }
}
