/** The session gate over short leases in the short-term store (see memory/locks.ts). */
import { FlightlyError } from "../../core/errors.js";
import type { Leases } from "../../memory/locks.js";
import { sessionSlot } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import type { Scope, SessionGate, SessionRelease } from "../memory-port.js";

export class LeaseSessionGate implements SessionGate {
  constructor(private readonly leases: Pick<Leases, "acquire">) {}

  async enter(scope: Scope, o: { holdMs: number; waitMs: number }): Promise<SessionRelease> {
    const lease = await this.leases.acquire(keys.sessionLock(sessionSlot(scope)), o.holdMs, o.waitMs);
    if (!lease) {
      throw new FlightlyError(
        "CONFLICT",
        "another invocation is running for this session; retry when it finishes",
      );
    }
    return Object.assign(() => lease.release(), { firstTry: lease.tries === 1 });
  }
}
