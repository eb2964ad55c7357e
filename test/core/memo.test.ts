/** A repeated reading is computed once per clock minute, and each caller gets its own copy. */
import { describe, expect, it } from "vitest";
import { memoRead } from "../../core/memo.js";

describe("memoRead", () => {
  it("reads a text once per minute of the clock and hands out copies", () => {
    let reads = 0;
    const read = memoRead((text: string, now: Date) => {
      reads++;
      return { words: text.split(" "), day: now.toISOString().slice(0, 10) };
    });
    const at = new Date("2027-04-01T10:00:05Z");
    const first = read("two words", at);
    first.words.push("changed");
    const again = read("two words", new Date("2027-04-01T10:00:40Z"));
    expect(reads).toBe(1);
    expect(again.words).toEqual(["two", "words"]);
    read("two words", new Date("2027-04-01T10:01:00Z"));
    expect(reads).toBe(2);
  });
});

describe("memoText", () => {
  it("computes a text's value once and keeps no raw text as a key", async () => {
    const { memoText } = await import("../../core/memo.js");
    let calls = 0;
    const upper = memoText((text: string) => {
      calls++;
      return { shout: text.toUpperCase() };
    });
    expect(upper("card 4111 1111 1111 1111").shout).toBe("CARD 4111 1111 1111 1111");
    upper("card 4111 1111 1111 1111").shout = "changed";
    expect(upper("card 4111 1111 1111 1111").shout).toBe("CARD 4111 1111 1111 1111");
    expect(calls).toBe(1);
  });
});
