/** The booking agent's answer to a route with a city Flightly does not serve. */
import { describe, expect, it } from "vitest";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import { agentTools, system, user } from "./harness.js";

const planner = new LocalPlanner();

async function answer(text: string, guest = false) {
  const r = await planner.converse({
    system: system({ agent: "booking", guest }),
    messages: [user(text)],
    tools: agentTools("booking"),
  });
  const uses = r.message.content.flatMap((b) => ("toolUse" in b ? [b.toolUse] : []));
  const said = r.message.content.map((b) => ("text" in b ? b.text : "")).join("");
  return { uses, said };
}

describe("routes with an unserved city", () => {
  it("names the unserved origin and the nearest served airports, and searches nothing", async () => {
    const { uses, said } = await answer("any seats leaving akron for boston on friday?");
    expect(uses).toEqual([]);
    expect(said).toMatch(/We don't fly from Akron yet; the nearest airports we serve are Chicago \(ORD/);
    expect(said).toContain("to Boston");
  });

  it("names both ends when neither is served", async () => {
    const { uses, said } = await answer("tulsa to albuquerque in march");
    expect(uses).toEqual([]);
    expect(said).toContain("We don't fly from Tulsa yet");
    expect(said).toContain("We don't fly to Albuquerque yet");
  });

  it("tells a guest who wants to book that the city is not served", async () => {
    const { uses, said } = await answer("please book me a flight from boston to tulsa", true);
    expect(uses).toEqual([]);
    expect(said).toMatch(/We don't fly to Tulsa yet.*sign in/s);
  });
});
