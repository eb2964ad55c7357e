/**
 * The studio's endpoints without a browser: the page and its assets come from the service with a
 * same-origin content security policy; the customers come from the customers table; bad input
 * gets a JSON error; the page is off behind auth or a platform unless asked, and with auth on it
 * needs the token and shows its subject only; `flightly studio` prints the page's address.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, CLIENT, STACK_FRAME, startIdp, type TestIdp } from "../security/support.js";
import { startStudio } from "../support/cli.js";
import { TEST_VALKEY_URL } from "../support/env.js";
import { startTestRuntime, type TestRuntime, worldEnv } from "../support/world.js";

const get = (rt: TestRuntime, url: string, authorization?: string) =>
  rt.running.http.inject({ method: "GET", url, headers: authorization ? { authorization } : {} });

describe("the studio on a local service", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  }, 120_000);
  afterAll(() => rt?.close());

  it("serves the page and its assets itself, under a same-origin content security policy", async () => {
    const page = await get(rt, "/studio");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'; script-src 'self'/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(["/studio/assets/studio.css", "/studio/assets/studio.js"]);
    for (const url of assets) {
      const res = await get(rt, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).not.toMatch(/https?:\/\//);
    }
    const missing = await get(rt, "/studio/assets/..%2Fstudio.ts");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });

  it("lists the customers table and shows one customer's bookings and memories", async () => {
    const sql = rt.running.services.db.sql;
    const rows = await sql<{ id: string; name: string }[]>`
      SELECT id::text, name FROM customers ORDER BY id LIMIT 200`;
    expect(rows.length).toBeGreaterThan(0);
    expect((await get(rt, "/studio/api/customers")).json().customers).toEqual(rows);

    // The seeded world has no bookings: one made here, as the booking tool would leave it.
    const ref = `FL-${randomUUID().replaceAll("-", "").slice(0, 6).toUpperCase()}`;
    const [booked] = await sql<{ customer: string; ref: string }[]>`
      INSERT INTO bookings (ref, customer_id, flight_id, passengers, status, total_cents)
      VALUES (${ref}, 4, (SELECT min(id) FROM flights), 1, 'confirmed', 12345)
      RETURNING customer_id::text AS customer, ref`;
    const view = (await get(rt, `/studio/api/customers/${booked!.customer}`)).json();
    expect(view.customer.id).toBe(booked!.customer);
    expect(view.bookings.map((b: { booking_ref: string }) => b.booking_ref)).toContain(booked!.ref);
    expect(Array.isArray(view.memories)).toBe(true);
    // Leading zeros name the same customer; an unknown id is a guest with nothing to show.
    expect((await get(rt, `/studio/api/customers/00${booked!.customer}`)).json().customer.id).toBe(
      booked!.customer,
    );
    expect((await get(rt, `/studio/api/customers/guest-${randomUUID()}`)).json()).toEqual({
      customer: null,
      memories: [],
      bookings: [],
    });
  });

  it("answers bad input with a JSON error, never a stack trace", async () => {
    const bad = await get(rt, `/studio/api/customers/${encodeURIComponent("1; drop table customers")}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: "BAD_REQUEST" });
    for (const payload of ['{"text": 42}', "[]", `{"text": "${"x".repeat(20_001)}"}`]) {
      const res = await rt.running.http.inject({
        method: "POST",
        url: "/studio/api/redact",
        headers: { "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode, payload.slice(0, 20)).toBe(400);
      expect(res.body).not.toMatch(STACK_FRAME);
    }
  });
});

describe("the studio behind auth or a platform", () => {
  let idp: TestIdp;
  const runtimes: TestRuntime[] = [];
  const authEnv = (): Record<string, string> => ({
    AUTH_DISCOVERY_URL: idp.discoveryUrl,
    AUTH_ALLOWED_AUDIENCE: AUDIENCE,
    AUTH_ALLOWED_CLIENTS: CLIENT,
  });
  beforeAll(async () => {
    idp = await startIdp();
  });
  afterAll(async () => {
    for (const rt of runtimes) await rt.close();
    await idp?.close();
  });

  it("is off with auth on, and off on a trusted non-loopback bind, unless STUDIO_ENABLED says so", async () => {
    const authed = await startTestRuntime({ env: authEnv() });
    runtimes.push(authed);
    expect((await get(authed, "/studio")).statusCode).toBe(404);
    expect((await get(authed, "/studio/api/customers")).statusCode).toBe(404);
    const platform = await startTestRuntime({ env: { HOST: "0.0.0.0", TRUST_PLATFORM_AUTH: "true" } });
    runtimes.push(platform);
    expect((await get(platform, "/studio")).statusCode).toBe(404);
  }, 240_000);

  it("asked for with auth on, needs the token and shows only its subject", async () => {
    const rt = await startTestRuntime({ env: { ...authEnv(), STUDIO_ENABLED: "true" } });
    runtimes.push(rt);
    expect((await get(rt, "/studio")).statusCode).toBe(200);
    expect((await get(rt, "/studio/api/config")).json()).toEqual({ auth: true });
    for (const url of ["/studio/api/customers", "/studio/api/customers/2"])
      expect((await get(rt, url)).statusCode, url).toBe(401);
    const bearer = `Bearer ${await idp.mint({ sub: "2" })}`;
    const listed = (await get(rt, "/studio/api/customers", bearer)).json().customers;
    expect(listed.map((c: { id: string }) => c.id)).toEqual(["2"]);
    expect((await get(rt, "/studio/api/customers/2", bearer)).json().customer.id).toBe("2");
    const other = await get(rt, "/studio/api/customers/3", bearer);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe("FORBIDDEN");
  }, 120_000);
});

describe("flightly studio", () => {
  it("starts the runtime with the page and prints its address", async () => {
    const world = await worldEnv("studio-cli");
    const served = await startStudio({ ...world.env, LOG_LEVEL: "warn", VALKEY_URL: TEST_VALKEY_URL });
    try {
      for (let i = 0; i < 100 && !served.stdout().includes("/studio"); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(served.stdout().trim()).toBe(`Flightly studio: ${served.url}/studio`);
      const page = await fetch(`${served.url}/studio`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Flightly studio");
    } finally {
      expect(await served.stop()).toBe(0);
      await world.close();
    }
  }, 180_000);
});
