/**
 * Finding 5, secrets stored in clear: a battery of secret-bearing prompts goes through the real
 * service (worker included), data written the old way is migrated, and then every store is
 * searched (every Valkey key by type, every Postgres table row, the log) for each secret, and so
 * is everything the service sent out: the SSE streams, the spans a local OTLP receiver took, and
 * the studio's page and the data it shows (customers, memories, bookings, the typed prompts).
 */
import { randomInt, randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardNumbersIn, luhn, redactText } from "../../core/redact.js";
import { migrate } from "../../memory/db/index.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { type RedisServer, startRedis } from "../reliability/support.js";
import { type OtlpReceiver, startReceiver } from "../support/otlp-receiver.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import { type CapturedLogs, captureLogs } from "./support.js";

/** A fresh Luhn-valid 16-digit number, so no other suite can have stored it. */
function freshCard(): string {
  const body = `4${Array.from({ length: 14 }, () => randomInt(10)).join("")}`;
  for (let d = 0; d < 10; d++) if (luhn(`${body}${d}`)) return `${body}${d}`;
  throw new Error("unreachable");
}
const spell = (card: string, sep: string): string => card.match(/\d{4}/g)!.join(sep);
const word = (): string => `Zq${randomUUID().replaceAll("-", "").slice(0, 10)}9`;
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");

const cards = [freshCard(), freshCard(), freshCard(), freshCard(), freshCard()];
const passwords = [word(), word(), word(), word(), word(), word()];
const jwt = `${b64({ alg: "HS256" })}.${b64({ sub: randomUUID() })}.${word()}${word()}`;
const apiKeys = [
  `sk-proj-${word()}${word()}`,
  `AKIA${randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}`,
];
const cvv = String(randomInt(1000, 9999));

/** The secrets and the prompts that carry them (the issue's spellings and others). */
const SECRETS = [...cards, ...passwords, jwt, jwt.split(".")[2]!, ...apiKeys, `cvv ${cvv}`, `code ${cvv}`];
const PROMPTS = [
  `what is the baggage allowance? my card is ${spell(cards[0]!, " ")}`,
  `what is the baggage allowance? card ${cards[1]} exp 04/27 cvv ${cvv}`,
  `can I bring a pet? use ${spell(cards[2]!, "-")}`,
  `what is the cancellation policy? card ${spell(cards[3]!, ".")} expires 4/2027`,
  `what is the cancellation policy? my password is ${passwords[0]}`,
  `can I change my seat? password: ${passwords[1]}`,
  `can I change my seat? password=${passwords[2]} and pwd=${passwords[3]}`,
  `how do refunds work? passcode ${passwords[4]} security code ${cvv}`,
  `how do refunds work? my token is ${jwt}`,
  `what is the baggage allowance? Authorization: Bearer ${jwt}`,
  `what is the baggage allowance? api key ${apiKeys[0]} and ${apiKeys[1]} pin ${passwords[5]}`,
  "what is the baggage allowance? card 4111 1111 1111 1111 cvc: 4567",
];

/** Every readable value of every key, by type (strings, hashes, lists, streams, sets, sorted sets). */
async function valkeyDump(store: ShortTermStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await store.scanKeys("*")) {
    const type = String(await store.command("TYPE", key));
    let value: unknown;
    if (type === "string") value = await store.getBuffer(key).then((b) => b?.toString("latin1"));
    else if (type === "hash") value = await store.hgetall(key);
    else if (type === "list") value = await store.lrange(key, 0, -1);
    else if (type === "stream") value = await store.xrange(key);
    else if (type === "set") value = await store.smembers(key);
    else if (type === "zset") value = await store.command("ZRANGE", key, "0", "-1");
    else continue;
    out.set(key, `${key} ${JSON.stringify(value)}`);
  }
  return out;
}

/** Every row of every table as text; tables under row-level security are read as each actor. */
async function postgresDump(sql: Sql, actors: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const tables = await sql<{ name: string }[]>`
    SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`;
  for (const { name } of tables) {
    const rows = await sql.begin(async (tx) => {
      const all: string[] = [];
      for (const actor of ["", ...actors]) {
        await tx`SELECT set_config('flightly.actor_id', ${actor}, true)`;
        const r = await tx.unsafe<{ t: string }[]>(`SELECT t::text AS t FROM ${name} t`);
        all.push(...r.map((x) => x.t));
      }
      return all;
    });
    out.set(name, rows.join("\n"));
  }
  return out;
}

/**
 * The secrets found in a dump, with where (digits compared without separators for cards). The
 * issue's literal card, which other suites type too, is looked for only where `ours` names.
 */
function leaks(
  dump: Map<string, string>,
  secrets: readonly string[],
  ours: readonly string[] = [],
): string[] {
  const found: string[] = [];
  for (const [where, text] of dump) {
    const digits = text.replace(/[ .-](?=\d)/g, "");
    for (const s of secrets) {
      if (text.includes(s) || (/^\d+$/.test(s) && digits.includes(s))) found.push(`${where}: ${s}`);
    }
    const mine = ours.some((o) => where.includes(o) || text.includes(o));
    if (mine && digits.includes("4111111111111111")) found.push(`${where}: 4111111111111111`);
  }
  return found;
}

describe("no secret at rest", () => {
  let rt: TestRuntime;
  let logs: CapturedLogs;
  let sql: Sql;
  let receiver: OtlpReceiver;
  /**
   * A Valkey of its own: other suites' runtimes drop cached answers of earlier key versions at
   * start-up, which would race with the legacy keys this battery plants on a shared server.
   */
  let valkey: RedisServer;
  const actor = "5";
  const legacy = { card: freshCard(), password: word() };
  /** The SSE streams of the battery's invocations, as received. */
  const streams: string[] = [];

  beforeAll(async () => {
    logs = captureLogs("debug");
    receiver = await startReceiver();
    valkey = await startRedis();
    rt = await startTestRuntime({
      logger: logs.logger,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, STUDIO_ENABLED: "true", VALKEY_URL: valkey.url },
    });
    sql = rt.running.services.db.sql;
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
    await receiver?.close();
    await valkey?.close();
  });

  it("masks every spelling in linear time, and finds the typed card for payment", () => {
    for (const p of PROMPTS) expect(leaks(new Map([["text", redactText(p)]]), SECRETS)).toEqual([]);
    expect(redactText(`pay with ${spell(cards[0]!, " ")}`)).toBe(
      `pay with [CARD ****${cards[0]!.slice(-4)}]`,
    );
    expect(cardNumbersIn(`card ${spell(cards[2]!, "-")} please`)).toEqual([cards[2]]);
    expect(redactText("book 2 adults from 2025-06-01 to 2025-06-08, booking FL-ABC123")).toBe(
      "book 2 adults from 2025-06-01 to 2025-06-08, booking FL-ABC123",
    );
    const started = performance.now();
    for (const hostile of [
      "1 ".repeat(100_000),
      "password ".repeat(20_000),
      "eyJ".repeat(60_000),
      "sk-".repeat(60_000),
    ])
      redactText(hostile);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(redactText("x".repeat(300_000)).length).toBeLessThan(200_100);
  });

  it("keeps none of the secrets in Valkey, Postgres or the log after the prompts and the migration", async () => {
    const store = rt.running.services.store;
    // Written the old way: cached answers under the earlier key version, a cache row, memories.
    const old = JSON.stringify({
      prompt: `my card ${legacy.card}`,
      response: "ok",
      entities: {},
      category: "x",
      sources: [],
    });
    await store.set(`flightly:resp:${randomUUID()}:${randomUUID()}`, old, { ttlMs: 600_000 });
    await store.set(`flightly:{a:${actor}}:cache:${randomUUID()}:${randomUUID()}`, old, { ttlMs: 600_000 });
    const [{ dim } = { dim: "0" }] = await sql<{ dim: string }[]>`
      SELECT value AS dim FROM flightly_meta WHERE key = 'embedding_dim'`;
    const vector = `[${Array.from({ length: Number(dim) }, () => "0.1").join(",")}]`;
    await sql`INSERT INTO semantic_cache (scope, prompt, entities, category, response, embedding, expires_at)
      VALUES ('shared', ${`password: ${legacy.password}`}, ${sql.json({ numbers: [legacy.card] })}, 'faq',
        ${sql.json({ text: "ok" })}, ${vector}::vector, now() + interval '1 hour')`;
    await sql.begin(async (tx) => {
      await tx`SELECT set_config('flightly.actor_id', ${actor}, true)`;
      await tx`INSERT INTO memories (actor_id, namespace, kind, content, embedding, metadata)
        VALUES (${actor}, ${`/actors/${actor}/episodes/legacy`}, 'episode',
          ${`my password is ${legacy.password}, card ${spell(legacy.card, " ")}`}, ${vector}::vector,
          ${tx.json({ first_request: `card ${legacy.card}` })})`;
    });
    const before = await valkeyDump(store);
    expect(leaks(before, [legacy.card]).length).toBeGreaterThan(0);

    const sessions: string[] = [];
    for (const prompt of PROMPTS) {
      const session = randomUUID();
      sessions.push(session);
      for (const a of [actor, "guest-secrets"]) {
        const res = await rt.running.http.inject({
          method: "POST",
          url: "/invocations",
          headers: {
            "content-type": "application/json",
            accept: "text/event-stream",
            "x-amzn-bedrock-agentcore-runtime-session-id": session,
          },
          payload: JSON.stringify({ prompt, actor_id: a }),
        });
        expect(res.statusCode).toBe(200);
        expect(res.body).toMatch(/^event: done$/m);
        streams.push(res.body);
      }
    }
    await rt.app.outbox.flush();
    await rt.app.worker.drain({ timeoutMs: 60_000 });
    const memories = await sql.begin(async (tx) => {
      await tx`SELECT set_config('flightly.actor_id', ${actor}, true)`;
      return tx<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM memories WHERE actor_id = ${actor} AND content LIKE '%REDACTED%'`;
    });
    expect(memories[0]!.n).toBeGreaterThan(0);

    // The upgrade: the migration and its drop of cached answers of earlier versions (`migrate`
    // forces it: this runtime's own start already finished one).
    await sql`DELETE FROM flightly_migrations WHERE version = 7`;
    await migrate(sql, rt.running.services.embedder);
    const { dropLegacyEntries } = await import("../../memory/response-cache.js");
    await dropLegacyEntries(store, { force: true });

    const everything = [...SECRETS, legacy.card, legacy.password];
    expect(leaks(await valkeyDump(store), everything, sessions)).toEqual([]);
    expect(leaks(await postgresDump(sql, [actor, "guest-secrets"]), everything, ["/"])).toEqual([]);
    expect(leaks(new Map([["log", logs.text()]]), everything)).toEqual([]);
  }, 240_000);

  it("sends none of the secrets out: SSE streams, exported spans, the studio's page and data", async () => {
    // Runs after the battery above: its streams, its spans, and what the studio shows of it.
    expect(streams).toHaveLength(PROMPTS.length * 2);
    expect(leaks(new Map(streams.map((s, i) => [`sse ${i}`, s])), SECRETS)).toEqual([]);
    await rt.running.services.tracing!.flush();
    const spans = receiver.spans();
    expect(spans.some((s) => s.name.startsWith("invoke_agent "))).toBe(true);
    expect(leaks(new Map(receiver.bodies.map((b, i) => [`otlp ${i}`, b])), SECRETS)).toEqual([]);

    const get = async (url: string): Promise<string> => {
      const res = await rt.running.http.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      return res.body;
    };
    const studio = new Map<string, string>();
    for (const url of ["/studio", "/studio/assets/studio.js", "/studio/api/customers"])
      studio.set(url, await get(url));
    for (const a of [actor, "guest-secrets"]) {
      const url = `/studio/api/customers/${a}`;
      studio.set(url, await get(url));
    }
    // The customer's memories hold the battery's turns, masked.
    expect(studio.get(`/studio/api/customers/${actor}`)).toContain("REDACTED");
    // What the page shows of each typed prompt.
    for (const [i, prompt] of PROMPTS.entries()) {
      const res = await rt.running.http.inject({
        method: "POST",
        url: "/studio/api/redact",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ text: prompt }),
      });
      expect(res.statusCode).toBe(200);
      studio.set(`typed ${i}`, res.body);
    }
    expect(leaks(studio, SECRETS)).toEqual([]);
  }, 120_000);

  it("pays with the typed card only, keeps its last four digits, and never falls back to the card on file", async () => {
    // A confirmed, unpaid booking of a customer whose card on file would succeed.
    const ref = `FL-${randomUUID().replaceAll("-", "").slice(0, 6).toUpperCase()}`;
    const [b] = await sql<{ ref: string; customer: string }[]>`
      INSERT INTO bookings (ref, customer_id, flight_id, passengers, status, total_cents)
      SELECT ${ref}, c.id, (SELECT min(id) FROM flights), 1, 'confirmed', 12345 FROM customers c
      WHERE c.card_last4 IS NOT NULL AND c.card_last4 <> '0002' ORDER BY c.id LIMIT 1
      RETURNING ref, customer_id::text AS customer`;
    expect(b).toBeDefined();
    const session = randomUUID();
    const ask = (prompt: string) =>
      rt.running.http.inject({
        method: "POST",
        url: "/invocations",
        headers: {
          "content-type": "application/json",
          "x-amzn-bedrock-agentcore-runtime-session-id": session,
        },
        payload: JSON.stringify({ prompt, actor_id: b!.customer, idempotency_key: randomUUID() }),
      });
    const declined = await ask(`pay for ${b!.ref} with card 4000 0000 0000 0002`);
    expect(declined.statusCode).toBe(200);
    expect(declined.json().response).toMatch(/declined/i);
    const checkpoint = [...(await valkeyDump(rt.running.services.store))]
      .filter(([k]) => k.includes(session) && k.endsWith(":checkpoint"))
      .map(([, v]) => v)
      .join("");
    expect(checkpoint).toContain("****0002");
    expect(leaks(new Map([["checkpoint", checkpoint]]), ["4000000000000002"])).toEqual([]);
    // Named by its last four digits only: asked for again, not charged to the card on file.
    const named = await ask(`pay for ${b!.ref} with my card ending 0002`);
    expect(named.statusCode).toBe(200);
    expect(named.json().response).toMatch(/full number/);
    const payments = await sql<{ status: string; card_last4: string }[]>`
      SELECT p.status, p.card_last4 FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE b.ref = ${b!.ref}`;
    expect(payments).toEqual([{ status: "declined", card_last4: "0002" }]);
  }, 120_000);
});
