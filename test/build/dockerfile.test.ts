/**
 * The container builds what the package compiles: every folder `tsconfig.build.json` compiles is
 * copied into the build stage, and CI's outside-Docker run stages what the runtime stage copies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../core/paths.js";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const [buildStage, runtimeStage] = dockerfile.split(/^FROM .* AS runtime$/m) as [string, string];
const copied = (stage: string): string[] =>
  [...stage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));

describe("Dockerfile", () => {
  it("copies every compiled top-level folder into the build stage", () => {
    const include = (
      JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as { include: string[] }
    ).include;
    expect(include.length).toBeGreaterThan(5);
    const sources = copied(buildStage);
    for (const folder of include) expect(sources, `COPY ${folder} ./${folder}`).toContain(folder);
  });

  it("has a runtime stage that CI stages the same way outside Docker", () => {
    const fromBuild = [...runtimeStage.matchAll(/^COPY --from=build \/app\/(\S+) /gm)].map((m) => m[1]!);
    expect(fromBuild).toEqual(expect.arrayContaining(["dist", "data", "memory/db/migrations"]));
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    for (const path of fromBuild) expect(ci, `.ci/run stages ${path}`).toContain(path);
  });
});
