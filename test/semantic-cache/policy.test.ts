import { describe, expect, it } from "vitest";
import { answerCachePolicy } from "../../orchestrator/semantic-cache/policy.js";
import { toolMeta } from "../../orchestrator/tool-catalog.js";

describe("cache policy", () => {
  // Each call as the orchestrator describes it: the tool's registered metadata.
  const t = (name: string, sideEffect = false) => ({
    answers: toolMeta(name).answers,
    sideEffect,
    status: "success" as const,
  });
  it("shares policy and destination answers, keeps personal and search answers per actor, never caches actions", () => {
    expect(answerCachePolicy("What is the pet policy?", [t("search_knowledge_base")], 86_400)).toMatchObject({
      scope: "shared",
      category: "policy",
    });
    expect(answerCachePolicy("What to do in Rome?", [t("get_destination_info")], 86_400).scope).toBe(
      "shared",
    );
    expect(answerCachePolicy("What is my refund policy?", [t("search_knowledge_base")], 86_400).scope).toBe(
      "actor",
    );
    expect(answerCachePolicy("Flights to Rome", [t("search_flights")], 86_400)).toMatchObject({
      scope: "actor",
      category: "availability",
    });
    expect(answerCachePolicy("Show bookings", [t("list_bookings")], 86_400).scope).toBe("actor");
    expect(answerCachePolicy("Book it", [t("search_flights"), t("reserve_flight", true)], 86_400).scope).toBe(
      "never",
    );
    expect(answerCachePolicy("Cancel FL-ABC123", [t("get_booking")], 86_400).scope).toBe("never");
    expect(answerCachePolicy("Hello", [], 86_400).scope).toBe("never");
    const weather = answerCachePolicy("Weather in Rome", [t("weather__get_forecast")], 86_400);
    expect(weather.ttlMs).toBeLessThanOrEqual(16.5 * 60_000);
    expect(weather.ttlMs).toBeGreaterThanOrEqual(13.5 * 60_000);
  });
});
