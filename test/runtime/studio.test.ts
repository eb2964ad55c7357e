/**
 * The studio in headless Chromium (Debian's `chromium`, driven by playwright-core) on the real
 * pipeline: the page lists the customers table, a customer asks for an insured booking with the
 * email from their support conversation, and the page shows the agents in order, each tool call
 * with its input, the cache decision, the checkpoint version and the new booking. Every request
 * the page makes stays on the service's origin, and nothing secret typed into it comes back.
 * A screenshot is saved under test-results/ (a CI artifact). No browser is a failure, not a skip.
 */

import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../core/paths.js";
import { CARDS, PASSWORDS, secretsIn } from "../security/support.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

/** `CHROMIUM_PATH`, else Debian's package. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUT = join(ROOT, "test-results");

const SEARCH = "show me flights Seattle to Tokyo for June";
const INSURED_BOOKING =
  "Book that flight with travel insurance added first, pay for it with the card I keep on file, and use the email address from my support chat";

describe("the studio in a headless browser", () => {
  let rt: TestRuntime;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const requested: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    rt = await startTestRuntime({ worker: true });
    const { port } = rt.running.http.server.address() as AddressInfo;
    origin = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on("request", (r) => requested.push(r.url()));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  /** Types a prompt in the page, sends it, and waits for the turn's `done`. */
  async function ask(prompt: string): Promise<void> {
    const turns = await page.locator("#trail > .turn[data-done]").count();
    await page.fill("#prompt", prompt);
    await page.click("#send");
    await page.locator("#trail > .turn[data-done]").nth(turns).waitFor({ timeout: 90_000 });
  }

  it("lists the customers, runs the insured booking and shows its trail and booking", async () => {
    await page.goto(`${origin}/studio?customer=1`);
    await page.locator("#status", { hasText: "ready" }).waitFor();
    const [count] = await rt.running.services.db.sql<{ n: number }[]>`
      SELECT least(count(*), 200)::int AS n FROM customers`;
    expect(await page.locator("#customer option").count()).toBe(count!.n);
    expect(await page.inputValue("#customer")).toBe("1");
    const [customer] = await rt.running.services.db.sql<{ name: string }[]>`
      SELECT name FROM customers WHERE id = 1`;
    expect(await page.textContent("#who")).toContain(customer!.name);

    await ask(SEARCH);
    const search = page.locator("#trail > .turn").first();
    expect(await search.locator(".step").evaluateAll((s) => s.map((e) => e.dataset.agent))).toEqual([
      "booking",
    ]);
    const searchInput = await search.locator('.tool[data-tool="search_flights"] pre.input').textContent();
    expect(JSON.parse(searchInput!)).toMatchObject({ origin: "SEA" });

    await ask(INSURED_BOOKING);
    const turn = page.locator("#trail > .turn").first();
    const agents = await turn.locator(".step").evaluateAll((s) => s.map((e) => e.dataset.agent));
    expect(agents).toEqual(["support", "booking", "payment"]);
    const tools = await turn.locator(".tool").evaluateAll((t) => t.map((e) => e.dataset.tool));
    const order = ["find_support_conversation", "reserve_flight", "add_travel_insurance", "process_payment"];
    expect(tools.filter((t) => order.includes(t!))).toEqual(order);
    expect(tools).toContain("confirm_booking");
    // Each call shows its input and a result summary; handoff reasons, cache and checkpoint follow.
    const payment = turn.locator('.tool[data-tool="process_payment"]');
    expect(JSON.parse((await payment.locator("pre.input").textContent())!)).toHaveProperty("booking_ref");
    expect((await payment.locator("pre.summary").textContent())!.length).toBeGreaterThan(0);
    expect(await turn.locator(".handoff").count()).toBeGreaterThanOrEqual(2);
    expect(await turn.locator(".cache").first().textContent()).toMatch(/^cache miss/);
    expect(await turn.locator(".checkpoint").textContent()).toMatch(/^checkpoint v\d+ · done · written/);
    expect(await page.locator("#chat li.assistant").last().textContent()).toMatch(/insur/i);

    // The booking the turn made, as the database has it, is listed with its state.
    const [booking] = await rt.running.services.db.sql<{ ref: string; contact_email: string }[]>`
      SELECT ref, contact_email FROM bookings
      WHERE customer_id = 1 AND status = 'confirmed' AND insured ORDER BY created_at DESC LIMIT 1`;
    expect(booking).toBeDefined();
    const listed = page.locator(`#bookings li[data-ref="${booking!.ref}"]`);
    await listed.waitFor();
    expect(await listed.getAttribute("data-status")).toBe("confirmed");
    expect(await listed.textContent()).toContain("insured");
    expect(await listed.textContent()).toContain(booking!.contact_email);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "studio.png"), fullPage: true });
    // Page, stylesheet, script, API and invocations: all from the service itself.
    expect(requested.length).toBeGreaterThan(4);
    expect(requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
  }, 240_000);

  it("lists a hotel stay beside the flight bookings once the chat books one", async () => {
    await page.goto(`${origin}/studio?customer=1`);
    await page.locator("#status", { hasText: "ready" }).waitFor();
    await ask("which hotels are there in Lisbon for two nights in a month's time?");
    await ask("reserve the least expensive one");
    const [stay] = await rt.running.services.db.sql<{ ref: string; name: string }[]>`
      SELECT s.ref, h.name FROM hotel_bookings s JOIN hotels h ON h.id = s.hotel_id
      WHERE s.customer_id = 1 ORDER BY s.id DESC LIMIT 1`;
    expect(stay).toBeDefined();
    const listed = page.locator(`#bookings li[data-ref="${stay!.ref}"]`);
    await listed.waitFor();
    expect(await listed.textContent()).toContain(stay!.name);
    expect(await listed.textContent()).toContain("at the hotel");
    // The flight booked in the first test is still listed beside it.
    expect(await page.locator("#bookings li[data-ref^='FL-']").count()).toBeGreaterThan(0);
  }, 240_000);

  it("shows nothing secret that was typed into the chat", async () => {
    await ask(`what is the baggage allowance? my card is ${CARDS[2]} and my password is ${PASSWORDS[0]}`);
    await ask(`can I bring my bike? card ${CARDS[0]!.match(/\d{4}/g)!.join(" ")} cvv 123`);
    const shown = `${await page.content()}\n${await page.locator("body").textContent()}`;
    expect(shown).toContain("[CARD ****");
    expect(secretsIn(shown)).toEqual([]);
  }, 180_000);
});
