/**
 * Reading one message is pure but not free (a few milliseconds: chrono, the gazetteer, the
 * reference lists), and a turn reads the same message several times (the response cache's key,
 * its canonical form, the planner). The last readings are kept, keyed by the text and the clock's
 * minute; callers get their own copy, so nothing they change leaks into another reading.
 */
const SIZE = 512;

export function memoRead<R>(fn: (text: string, now: Date) => R): (text: string, now: Date) => R {
  const kept = new Map<string, R>();
  return (text, now) => {
    const key = `${Math.floor(now.getTime() / 60_000)}\u0000${text}`;
    let value = kept.get(key);
    if (value === undefined) {
      value = fn(text, now);
      if (kept.size >= SIZE) kept.delete(kept.keys().next().value as string);
      kept.set(key, value);
    } else {
      // Most recently used last: the first key is the one to drop.
      kept.delete(key);
      kept.set(key, value);
    }
    return structuredClone(value);
  };
}
