/** Chat shorthand written out, and spelling corrected against a closed vocabulary. */
import { describe, expect, it } from "vitest";
import { editDistance, expandChatSpeak, Speller } from "../../language/index.js";

describe("chat shorthand", () => {
  it("writes out shorthand words and numbers glued to a unit", () => {
    expect(expandChatSpeak("pls tell me b4 u go, its 2hrs")).toBe(
      "please tell me before you go, its 2 hours",
    );
    expect(expandChatSpeak("my 8yo and ur 12yrs")).toBe("my 8 year old and your 12 years");
  });

  it("leaves ordinary words, codes and amounts alone", () => {
    expect(expandChatSpeak("Fare class Y from BOS for $300")).toBe("fare class y from bos for $300");
    expect(expandChatSpeak("a bus to the museum")).toBe("a bus to the museum");
  });

  it("reads a lone dollar sign as money", () => {
    expect(expandChatSpeak("any $ back?")).toBe("any money back?");
  });
});

describe("spelling against a closed vocabulary", () => {
  const counts = new Map([
    ["luggage", 5],
    ["baggage", 2],
    ["refund", 4],
    ["stroller", 1],
    ["power", 2],
    ["banks", 1],
  ]);
  const speller = new Speller(counts, { known: (w) => w === "lugger" });

  it("measures transpositions as one edit", () => {
    expect(editDistance("refnud", "refund")).toBe(1);
    expect(editDistance("abc", "xyz", 1)).toBe(2);
  });

  it("corrects a word outside the vocabulary to the nearest document word", () => {
    expect(speller.correct("refnd")).toBe("refund");
    expect(speller.correct("strolller")).toBe("stroller");
    expect(speller.correct("lugagge")).toBe("luggage");
  });

  it("splits two document words run together", () => {
    expect(speller.correct("powerbank")).toBe("power banks");
  });

  it("keeps known words, short words and words too far from any document word", () => {
    expect(speller.correct("lugger")).toBe("lugger");
    expect(speller.correct("rfd")).toBe("rfd");
    expect(speller.correct("umbrella")).toBe("umbrella");
    expect(speller.correctText("a refnd, plz")).toBe("a refund, plz");
  });
});
