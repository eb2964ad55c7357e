/**
 * Cached answers written under earlier key versions may hold secrets and are dropped at start;
 * closing a process stops that scan (a one-shot command does not wait for a scan of the whole
 * keyspace), and the next start drops what it left. A finished drop is remembered, so the starts
 * after it skip the scan until it lapses; `force` (migrate) scans regardless.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropLegacyEntries } from "../../memory/response-cache.js";
import { keys } from "../../memory/store/keys.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { uniq } from "../support/env.js";
import { stopSharedCluster, storeBackends } from "../support/valkey-targets.js";

afterAll(stopSharedCluster);

describe.each(storeBackends())("dropping cached answers of earlier versions: %s", (_name, open) => {
  let store: ShortTermStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  it("a stopped drop deletes nothing; a whole one deletes old versions and keeps the current", async () => {
    const id = uniq("legacy");
    const old = [keys.responseCache(`v1:${id}`), keys.actorCache(id, `v1:${id}`)];
    const current = [keys.responseCache(`v2:${id}`), keys.actorCache(id, `v2:${id}`)];
    for (const key of [...old, ...current]) await store.set(key, "{}", { ttlMs: 60_000 });

    await store.del(keys.legacyDropped("v2"));

    const stop = new AbortController();
    stop.abort();
    expect(await dropLegacyEntries(store, { signal: stop.signal })).toBe(0);
    expect(await Promise.all(old.map((k) => store.get(k)))).toEqual(["{}", "{}"]);
    // A stopped drop leaves no mark: the next start scans.
    expect(await store.get(keys.legacyDropped("v2"))).toBeNull();

    // Forced: another test file's start may finish a drop (and leave the mark) meanwhile.
    expect(await dropLegacyEntries(store, { force: true })).toBeGreaterThanOrEqual(2);
    expect(await Promise.all(old.map((k) => store.get(k)))).toEqual([null, null]);
    expect(await Promise.all(current.map((k) => store.get(k)))).toEqual(["{}", "{}"]);
    await store.del(...current);
  });

  it("a finished drop stands: the next start skips the scan; force scans anyway", async () => {
    const id = uniq("legacy-mark");
    await dropLegacyEntries(store, { force: true });
    expect(await store.get(keys.legacyDropped("v2"))).not.toBeNull();

    const late = keys.responseCache(`v1:${id}`);
    await store.set(late, "{}", { ttlMs: 60_000 });
    expect(await dropLegacyEntries(store)).toBe(0);
    expect(await store.get(late)).toBe("{}");

    expect(await dropLegacyEntries(store, { force: true })).toBeGreaterThanOrEqual(1);
    expect(await store.get(late)).toBeNull();
  });
});
