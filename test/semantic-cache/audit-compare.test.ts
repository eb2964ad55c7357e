/** How the audit compares a served answer with its recomputation, and how calls are recorded. */
import { describe, expect, it } from "vitest";
import { compareAnswers, recordCalls } from "../../orchestrator/semantic-cache/audit.js";

const search = (destination: string, seats: number) => ({
  name: "search_flights",
  input: { origin: "SEA", destination, date: "2027-06-12" },
  result: { status: "success" as const, json: { flights: [{ flight_id: "1", seats_available: seats }] } },
});
const policy = {
  name: "search_knowledge_base",
  input: { query: "pets" },
  result: { status: "success" as const, json: { answer: "Pets in carriers" } },
};

describe("audit comparison", () => {
  it("records inputs canonically: key order does not matter, values do", () => {
    const [a] = recordCalls([{ ...policy, input: { query: "pets", k: 3 } }]);
    const [b] = recordCalls([{ ...policy, input: { k: 3, query: "pets" } }]);
    expect(a).toEqual(b);
    expect(recordCalls([search("HNL", 36)])[0]!.input).not.toBe(recordCalls([search("OGG", 36)])[0]!.input);
  });

  it("matches the same calls in any order with the same results, whatever the wording", () => {
    const served = { response: "Here are the flights", calls: recordCalls([search("HNL", 36), policy]) };
    const fresh = { response: "Flights found:", calls: recordCalls([policy, search("HNL", 36)]) };
    expect(compareAnswers(served, fresh)).toBe("match");
  });

  it("tells other calls (a wrong match) from other results (data changed behind the cache)", () => {
    const served = { response: "x", calls: recordCalls([search("HNL", 36)]) };
    expect(compareAnswers(served, { response: "x", calls: recordCalls([search("OGG", 36)]) })).toBe("calls");
    expect(compareAnswers(served, { response: "x", calls: recordCalls([]) })).toBe("calls");
    expect(compareAnswers(served, { response: "x", calls: recordCalls([search("HNL", 0)]) })).toBe("results");
  });

  it("compares the answer text when no tool ran on either side", () => {
    expect(compareAnswers({ response: "Hello" }, { response: "Hello", calls: [] })).toBe("match");
    expect(compareAnswers({ response: "Hello" }, { response: "Hi" })).toBe("answer");
  });
});
