import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { redactText, unredactableDigest } from "../../core/redact.js";

describe("log redaction", () => {
  it.each([
    ["card 4242 4242 4242 4242 please", "4242 4242 4242 4242"],
    ["card 4000-0000-0000-0002", "4000-0000-0000-0002"],
    ["pan 378282246310005", "378282246310005"],
    ["Authorization: Bearer abc.def-ghi_jkl.mnopqrstuv", "abc.def-ghi_jkl.mnopqrstuv"],
    ["token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"],
    ["postgres://flightly:s3cret@db:5432/x", "s3cret"],
    ["password=hunter2 next", "hunter2"],
    ['{"api_key": "sk-123456"}', "sk-123456"],
  ])("scrubs %s", (text, secret) => {
    expect(redactText(text)).not.toContain(secret);
  });

  it("keeps ordinary numbers, dates, booking refs and stream ids", () => {
    const text =
      "Booking FL-7K2Q9D on 2026-12-03 costs $812.40 for 2 adults, flight PC1234, entry 1763706234500-0";
    expect(redactText(text)).toBe(text);
  });

  it("scrubs fields and messages in emitted log lines", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ destination: sink, level: "info" });
    log.info(
      {
        headers: { authorization: "Bearer abcdefghijkl" },
        card: "4242424242424242",
        nested: { password: "pw" },
      },
      "charging 4242424242424242 for postgres://u:pw@h/db",
    );
    log.child({ requestId: "r1" }).warn({ err: new Error("token=supersecret failed") }, "oops");
    await new Promise((r) => setImmediate(r));
    const all = lines.join("");
    for (const secret of ["abcdefghijkl", "4242424242424242", '"pw"', "u:pw@", "supersecret"]) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain("****4242");
    expect(all).toContain('"requestId":"r1"');
  });
});

describe("unredactableDigest", () => {
  it("reads back unchanged through the redactor, whatever it digests", () => {
    // Inputs whose hex digests would often hold card-shaped digit runs; the letter spelling never does.
    for (let i = 0; i < 2000; i++) {
      const d = unredactableDigest(`4111 1111 1111 ${String(i).padStart(4, "0")}`, 64);
      expect(d).toMatch(/^[a-p]{64}$/);
      expect(redactText(`resume-${d}`)).toBe(`resume-${d}`);
    }
    expect(unredactableDigest("a")).not.toBe(unredactableDigest("b"));
  });
});

describe("redactText on texts seen before", () => {
  it("returns a clean text as given, and masks a secret each time it comes again", () => {
    const clean = `Checked bags weigh up to 23 kg ${"and measure 158 cm ".repeat(20)}`;
    expect(redactText(clean)).toBe(clean);
    expect(redactText(clean)).toBe(clean);
    const secret = "my card is 4111 1111 1111 1111, thanks";
    const once = redactText(secret);
    expect(once).not.toContain("4111 1111 1111 1111");
    expect(redactText(secret)).toBe(once);
    // Its redacted form is clean itself: seen again, it stays as it is.
    expect(redactText(once)).toBe(once);
  });
});
