/** Which failures of a backing service are a retryable 503, and which stay a 500. */
import { describe, expect, it } from "vitest";
import { errorBody } from "../../orchestrator/runtime/errors.js";

const pgError = (code: string, cause = false): Error => {
  const e = Object.assign(new Error(`sqlstate ${code}`), { code });
  return cause ? new Error("tool failed", { cause: e }) : e;
};

describe("error envelope for backing-service faults", () => {
  it.each([
    ["53200", "out of shared memory (advisory locks exhausted)"],
    ["53300", "too many connections"],
    ["55P03", "lock not available"],
    ["57014", "statement timeout"],
    ["40P01", "deadlock"],
    ["57P01", "admin shutdown"],
    ["08006", "connection failure"],
    ["ECONNREFUSED", "socket refused"],
  ])("%s (%s) is a 503 with a retry hint and no detail", (code) => {
    for (const err of [pgError(code), pgError(code, true)]) {
      const { status, body, retryAfterS } = errorBody(err, "r1");
      expect(status).toBe(503);
      expect(body.error.code).toBe("UNAVAILABLE");
      expect(retryAfterS).toBeGreaterThan(0);
      expect(body.error.message).not.toContain(code);
    }
  });

  it.each(["23505", "42P01", "22P02"])("%s (a bug or bad data, not load) stays a 500", (code) => {
    const { status, body } = errorBody(pgError(code), "r1");
    expect(status).toBe(500);
    expect(body.error).toEqual({ code: "INTERNAL", message: "internal error", request_id: "r1" });
  });
});
