/** Small talk read by its form: greetings, thanks and goodbyes only, never a request beside them. */
import { describe, expect, it } from "vitest";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { smallTalkOf } from "../../language/index.js";
import { helpCentre } from "../../memory/help-centre.js";
import { ScopeGate } from "../../orchestrator/scope.js";

describe("small talk", () => {
  it("reads greetings, thanks and goodbyes, the last one said deciding", () => {
    expect(smallTalkOf("Heyyy!!")).toBe("greeting");
    expect(smallTalkOf("good evening, how are you today?")).toBe("greeting");
    expect(smallTalkOf("Brilliant, thank you so much :)")).toBe("thanks");
    expect(smallTalkOf("cheers mate, see ya")).toBe("farewell");
    expect(smallTalkOf("brilliant, that's everything we needed")).toBe("thanks");
    expect(smallTalkOf("ok you've been really helpful, later")).toBe("farewell");
  });

  it("is not small talk when a request comes with it, or when thanks is what is asked about", () => {
    for (const text of [
      "hey, any flights to Denver on Friday?",
      "thank you, now book the second one",
      "what is thank you in Greek",
      "goodbye in Japanese?",
    ])
      expect(smallTalkOf(text), text).toBeUndefined();
  });

  it("is answered by the scope gate with a reply in kind, not a decline", () => {
    const gate = new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() });
    const hello = gate.decide("hiya!");
    expect(hello).toMatchObject({ serve: false, topic: "conversation" });
    expect(hello.decline).toBeUndefined();
    expect(hello.reply).toMatch(/^Hi!/);
    expect(gate.decide("thx a bunch").reply).toMatch(/welcome/);
    // A phrase-book request about thanks is still declined.
    expect(gate.decide("how would I say thank you in Portuguese")).toMatchObject({
      serve: false,
      topic: "translation",
    });
  });
});
