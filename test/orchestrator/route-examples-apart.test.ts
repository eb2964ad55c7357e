/**
 * The router's multi-agent examples and the prompts that handoffs are judged on are kept apart: a
 * test that routes by an example's own words measures nothing. Every example whose plan names more
 * than one agent is searched for, verbatim (case and spacing aside), in every test source and
 * scenario file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTE_EXAMPLES } from "../../agents/routes.js";
import { ROOT } from "../../core/paths.js";

const squash = (text: string): string => text.toLowerCase().replace(/\s+/g, " ");

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => ext.test(f))
    .map((f) => join(ROOT, dir, f));
}

describe("router examples", () => {
  it("of multi-agent plans appear in no test source and no scenario file", () => {
    const sources = [...files("test", /\.ts$/), ...files("scenarios", /\.ya?ml$/)].filter(
      (f) => !f.endsWith("route-examples-apart.test.ts"),
    );
    const multi = ROUTE_EXAMPLES.filter((e) => e.plan.length > 1);
    expect(multi.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const file of sources) {
      const text = squash(readFileSync(file, "utf8"));
      for (const e of multi) if (text.includes(squash(e.text))) found.push(`${file}: ${e.text}`);
    }
    expect(found).toEqual([]);
  });
});
