/**
 * Airline names compared by their core: lower case, accents off, anything but letters and digits
 * as one space, then trailing airline and company words dropped ("Delta Air Lines Inc" → "delta").
 * The reference list's short forms and the evaluation's gold airlines are both read this way.
 */

/** Lower case, accents off, anything but letters and digits as one space. */
export const airlineKey = (text: string): string =>
  text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** Words a short form drops from the end of a name, repeatedly. */
const TRAILING =
  /\s+(?:air\s+lines|airlines|airline|airways|air|inc|ltd|limited|corp|corporation|company|co|sa|s\s+a)$/;

/** The name without its trailing airline and company words; undefined when nothing was dropped. */
export function carrierShortForm(name: string): string | undefined {
  const full = airlineKey(name);
  let core = full;
  for (let prev = ""; prev !== core; ) {
    prev = core;
    core = core.replace(TRAILING, "");
  }
  return core !== "" && core !== full ? core : undefined;
}
