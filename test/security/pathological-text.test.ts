/**
 * Finding 7: every text path (local embedder, entity and slot extraction, redaction, the cache's
 * normal form) is linear in its input, with documented caps. Work for N and 4N characters is
 * compared with a generous factor (quadratic work is 16 times slower), never an absolute latency;
 * and `/ping` is answered while an invocation with a 20,000-character word is still running.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactText } from "../../core/redact.js";
import { extractEntities, extractSlots } from "../../language/index.js";
import { LocalEmbedder } from "../../memory/embeddings/local.js";
import { MAX_TOKEN_CHARS } from "../../memory/embeddings/local-tokens.js";
import { normalise } from "../../orchestrator/semantic-cache/cache.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

const embedder = new LocalEmbedder().load();
const NOW = new Date("2026-03-01T00:00:00Z");

const paths: Record<string, (text: string) => unknown> = {
  embedding: (t) => embedder.embedSync(t),
  entities: (t) => extractEntities(t),
  slots: (t) => extractSlots(t, NOW),
  redaction: (t) => redactText(t),
  "cache normal form": (t) => normalise(t),
};

const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const inputs: Record<string, (n: number) => string> = {
  "one long word": (n) => fill("x", n),
  "one long word with a typo's letters": (n) => `${fill("qwerty", n - 1)}s`,
  "a long number": (n) => fill("4", n),
  "a dotted run": (n) => `${fill("a.", n - 1)}@`,
  "repeated punctuation": (n) => `${fill(".", n - 2)} a`,
  "mixed punctuation": (n) => `${fill("!?,;-'", n - 2)} a`,
  "deep unicode (stacked combining marks)": (n) => `e${fill("\u0301\u0302\u0303", n - 3)} z`,
  "emoji and CJK": (n) => fill("\u{1F600}東京", n),
  "many short words": (n) => fill("fly to Paris on June 3 with Delta, mail a@b.co $40 ", n),
  "many determiners": (n) => fill("a the an ", n),
};

/**
 * Best of five runs of each text (after a warm-up), in milliseconds. The runs alternate between
 * the texts, so a busy machine slows both sides alike instead of one.
 */
function timesOf(fn: (text: string) => unknown, texts: readonly string[]): number[] {
  for (const t of texts) fn(t);
  const best = texts.map(() => Number.POSITIVE_INFINITY);
  for (let i = 0; i < 5; i++) {
    texts.forEach((t, j) => {
      const t0 = performance.now();
      fn(t);
      best[j] = Math.min(best[j]!, performance.now() - t0);
    });
  }
  return best;
}

const N = 5_000;

describe("pathological text: every text path is linear", () => {
  for (const [input, make] of Object.entries(inputs)) {
    for (const [path, fn] of Object.entries(paths)) {
      it(`${path}: ${input}`, { timeout: 120_000 }, () => {
        const [small = 0, large = 0] = timesOf(fn, [make(N), make(4 * N)]);
        // Linear work is about 4 times slower; quadratic, 16. Slack absorbs timer noise on tiny times.
        expect(large, `${N} chars: ${small.toFixed(1)} ms, ${4 * N}: ${large.toFixed(1)} ms`).toBeLessThan(
          8 * small + 25,
        );
      });
    }
  }

  it("the embedder reads a word only up to its cap: a 20,000-character word is its first 64", () => {
    expect(MAX_TOKEN_CHARS).toBe(64);
    const word = fill("flightly", 20_000);
    expect(Array.from(embedder.embedSync(`book ${word} now`))).toEqual(
      Array.from(embedder.embedSync(`book ${word.slice(0, MAX_TOKEN_CHARS)} now`)),
    );
  });

  it("slot extraction reads a run only up to its cap; ordinary e-mails still read", () => {
    const slots = extractSlots(`${fill("a", 15_000)}@example.com and write to Jo.Smith@Example.org`, NOW);
    expect(slots.emails).toEqual(["Jo.Smith@Example.org"]);
  });
});

describe("liveness: /ping while a huge-word invocation runs", () => {
  let rt: TestRuntime;
  let base: string;
  let started: () => void;
  const invocationStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  let pinged: () => void;
  const pingAnswered = new Promise<void>((resolve) => {
    pinged = resolve;
  });

  beforeAll(async () => {
    rt = await startTestRuntime();
    rt.app.hooks.on("beforeInvocation", () => started());
    // The invocation, its huge word read, is held at its end until /ping has been answered: the
    // ping is sent while the word is being read, and must get through without the invocation
    // finishing first (however fast the reading is).
    rt.app.hooks.on("afterInvocation", () => pingAnswered);
    const address = rt.running.http.server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("answers /ping before the invocation with a 19,960-character word finishes", {
    timeout: 60_000,
  }, async () => {
    const order: string[] = [];
    const invocation = fetch(`${base}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: `what is ${fill("abcdefghij", 19_960)}?`, actor_id: "1" }),
    }).then(async (res) => {
      order.push(`invocation ${res.status}`);
      return res.json();
    });
    await invocationStarted;
    const ping = await fetch(`${base}/ping`);
    order.push(`ping ${ping.status}`);
    pinged();
    const answer = (await invocation) as { response?: string };
    expect(order).toEqual(["ping 200", "invocation 200"]);
    expect(typeof answer.response).toBe("string");
  });
});
