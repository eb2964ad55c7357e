/**
 * What a message states of the speaker, apart from what it asks and what it requests: the
 * extractor of long-term memory reads only these parts.
 */
import { describe, expect, it } from "vitest";
import { asksAnything, speakerStatements } from "../../language/index.js";

describe("speakerStatements", () => {
  it("drops questions, in any clause and with or without a question mark", () => {
    expect(speakerStatements("is there a vegan option on the Lisbon route")).toEqual([]);
    expect(speakerStatements("which is quieter, the front or the back of the cabin?")).toEqual([]);
    expect(speakerStatements("My daughter is lactose intolerant, can the crew help?")).toEqual([
      "My daughter is lactose intolerant",
    ]);
  });

  it("keeps a request to note what follows, and the case of what it says", () => {
    expect(speakerStatements("could you note that we live near JFK?")).toEqual([
      "could you note that we live near JFK",
    ]);
  });

  it("drops a request to search or book with its own terms after the comma", () => {
    expect(speakerStatements("show me rooms in Oslo under $120 a night")).toEqual([]);
    expect(speakerStatements("reserve the second one, preferably not Northwind")).toEqual([]);
    expect(speakerStatements("get me to Denver friday, I always sit by the window")).toEqual([
      "I always sit by the window",
    ]);
  });
});

describe("asksAnything", () => {
  it("is true of a question or a request in any clause, false of statements and of asking to note them", () => {
    expect(asksAnything("I use a cane, do I need to tell anyone")).toBe(true);
    expect(asksAnything("what's the bag limit")).toBe(true);
    expect(asksAnything("book the morning one")).toBe(true);
    expect(asksAnything("I'm a nervous flyer, show me a cooking video")).toBe(true);
    expect(asksAnything("I'm a nervous flyer.")).toBe(false);
    expect(asksAnything("would you remember that we fly out of Newark?")).toBe(false);
  });
});
