/**
 * `flightly serve` on embedded defaults: healthy /ping, busy while seeding, graceful SIGTERM.
 * PGlite-only by nature (the defaults), also in the real-PostgreSQL lane.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Served, startServe } from "../support/cli.js";

describe("flightly serve on embedded defaults", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-serve-"));
  let served: Served;

  beforeAll(async () => {
    served = await startServe({ DATA_DIR: dir });
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /ping per the AgentCore contract, HealthyBusy while the first seed runs", async () => {
    const res = await fetch(`${served.url}/ping`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; time_of_last_update: number };
    expect(Object.keys(body).sort()).toEqual(["status", "time_of_last_update"]);
    expect(["Healthy", "HealthyBusy"]).toContain(body.status);
    expect(Number.isInteger(body.time_of_last_update)).toBe(true);
    expect(Math.abs(body.time_of_last_update - Date.now() / 1000)).toBeLessThan(120);

    // The background seed ends and the status returns to Healthy.
    let status = body.status;
    for (let i = 0; i < 600 && status !== "Healthy"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await fetch(`${served.url}/ping`)).json()) as { status: string }).status;
    }
    expect(status).toBe("Healthy");
    expect(served.stderr()).toContain("seeded the Flightly world");
  });

  it("answers unknown routes with the JSON error envelope", async () => {
    const res = await fetch(`${served.url}/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("stops gracefully on SIGTERM", async () => {
    const code = await served.stop("SIGTERM");
    expect(code).toBe(0);
    expect(served.stderr()).toContain("shutting down");
  });
});
