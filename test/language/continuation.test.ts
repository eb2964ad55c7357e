/** Messages that continue the conversation rather than open a subject of their own. */
import { describe, expect, it } from "vitest";
import { continuesConversation } from "../../language/index.js";

describe("continuesConversation", () => {
  it("reads elliptical follow-ups as continuations", () => {
    for (const text of [
      "What about his guide dog?",
      "ok and for the return leg",
      "how about the week after",
      "so what if we go in May",
      "Same for my partner please",
      "also the little one?",
    ])
      expect(continuesConversation(text), text).toBe(true);
  });

  it("leaves a message with a subject of its own alone", () => {
    for (const text of [
      "Andorra in winter, any flights?",
      "what is the baggage allowance",
      "Orlando or Tampa?",
    ])
      expect(continuesConversation(text), text).toBe(false);
  });
});
