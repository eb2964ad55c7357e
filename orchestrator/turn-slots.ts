/**
 * How many turns run the agents at once in this process. A turn the cache did not answer takes a
 * slot before its session lease and gives it back when its agents are done (or it ends sooner):
 * its history write and cache store wait on the stores, not on this process. The rest wait in
 * arrival order.
 * Work beyond the limit adds latency to every turn in flight and to everything else the event loop
 * serves (`/ping` waits behind each ready turn), without adding throughput once the CPU is busy.
 */
export class TurnSlots {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError("turn slots: limit must be a positive integer");
    this.#limit = limit;
  }

  /** Turns holding a slot now, and turns waiting for one. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /**
   * Resolves with the slot's release (idempotent) once one is free; rejects with the signal's
   * reason if the turn is aborted while it waits.
   */
  take(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.#limit) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", abort);
        resolve(this.#releaser());
      };
      const abort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    };
  }
}
