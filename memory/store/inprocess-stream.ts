/**
 * Streams of the in-process store: entries with Valkey-style ids, consumer groups and their
 * pending entries. Synchronous operations on one stream; `InProcessStore` owns the keys.
 */
import type { PendingSummary, StreamEntry } from "./types.js";

export interface Stream {
  entries: StreamEntry[];
  lastId: [number, number];
  groups: Map<string, Group>;
}
interface Group {
  lastDelivered: string;
  pending: Map<string, { consumer: string; deliveredAt: number; count: number }>;
}

const cmpId = (a: string, b: string): number => {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
};

export function isStream(v: unknown): v is Stream {
  return typeof v === "object" && v !== null && "entries" in v;
}

export function emptyStream(): Stream {
  return { entries: [], lastId: [0, 0], groups: new Map() };
}

/** XADD: appends an entry and returns its id. */
export function appendEntry(
  s: Stream,
  fields: Record<string, string>,
  options?: { maxLen?: number; id?: string },
): string {
  const now = Date.now();
  const [lm, ls] = s.lastId;
  const id: [number, number] = now > lm ? [now, 0] : [lm, ls + 1];
  if (options?.id && options.id !== "*") {
    const [m = 0, q = 0] = options.id.split("-").map(Number);
    if (cmpId(`${m}-${q}`, `${lm}-${ls}`) <= 0) {
      throw new Error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    }
    id[0] = m;
    id[1] = q;
  }
  s.lastId = id;
  const entry = { id: `${id[0]}-${id[1]}`, fields: { ...fields } };
  s.entries.push(entry);
  if (options?.maxLen !== undefined && s.entries.length > options.maxLen) {
    s.entries.splice(0, s.entries.length - options.maxLen);
  }
  return entry.id;
}

/** XGROUP CREATE; a group that exists is left as it is. */
export function createGroup(s: Stream, group: string, startId: string): void {
  if (s.groups.has(group)) return;
  const last = startId === "$" ? `${s.lastId[0]}-${s.lastId[1]}` : startId === "0" ? "0-0" : startId;
  s.groups.set(group, { lastDelivered: last, pending: new Map() });
}

/** The stream and its group, or Valkey's NOGROUP error. */
export function groupOf(s: Stream | undefined, stream: string, group: string): { s: Stream; g: Group } {
  const g = s?.groups.get(group);
  if (!s || !g) throw new Error(`NOGROUP No such key '${stream}' or consumer group '${group}'`);
  return { s, g };
}

/** XREADGROUP `>`: entries not yet delivered to the group, now pending for `consumer`. */
export function deliverNew(s: Stream, g: Group, consumer: string, count: number): StreamEntry[] {
  const fresh = s.entries.filter((e) => cmpId(e.id, g.lastDelivered) > 0).slice(0, count);
  const now = Date.now();
  for (const e of fresh) {
    g.pending.set(e.id, { consumer, deliveredAt: now, count: 1 });
    g.lastDelivered = e.id;
  }
  return fresh.map((e) => ({ id: e.id, fields: { ...e.fields } }));
}

export function ack(g: Group, ids: readonly string[]): number {
  return ids.reduce((n, id) => n + (g.pending.delete(id) ? 1 : 0), 0);
}

/** XAUTOCLAIM: pending entries idle for `minIdleMs` or more move to `consumer`. */
export function autoclaim(
  s: Stream,
  g: Group,
  consumer: string,
  minIdleMs: number,
  options?: { start?: string; count?: number },
): { next: string; entries: StreamEntry[] } {
  const start = options?.start ?? "0-0";
  const count = options?.count ?? 100;
  const now = Date.now();
  const ids = [...g.pending.keys()].filter((id) => cmpId(id, start) >= 0).sort(cmpId);
  const entries: StreamEntry[] = [];
  let next = "0-0";
  for (const id of ids) {
    if (entries.length >= count) {
      next = id;
      break;
    }
    const p = g.pending.get(id)!;
    if (now - p.deliveredAt < minIdleMs) continue;
    const e = s.entries.find((x) => x.id === id);
    if (!e) {
      g.pending.delete(id);
      continue;
    }
    g.pending.set(id, { consumer, deliveredAt: now, count: p.count + 1 });
    entries.push({ id, fields: { ...e.fields } });
  }
  return { next, entries };
}

export function pendingSummary(g: Group): PendingSummary {
  const consumers: Record<string, number> = {};
  for (const p of g.pending.values()) consumers[p.consumer] = (consumers[p.consumer] ?? 0) + 1;
  return { count: g.pending.size, consumers };
}

/** XRANGE over the entries of `s` (none when the stream does not exist). */
export function range(s: Stream | undefined, start: string, end: string, count?: number): StreamEntry[] {
  const all = (s?.entries ?? []).filter(
    (e) => (start === "-" || cmpId(e.id, start) >= 0) && (end === "+" || cmpId(e.id, end) <= 0),
  );
  return (count === undefined ? all : all.slice(0, count)).map((e) => ({
    id: e.id,
    fields: { ...e.fields },
  }));
}
