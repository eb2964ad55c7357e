/**
 * AgentCore health: `Healthy` when idle, `HealthyBusy` while an invocation or background job
 * runs; `time_of_last_update` is when the status last changed (integer unix seconds).
 */
export interface HealthStatus {
  status: "Healthy" | "HealthyBusy";
  time_of_last_update: number;
}

export class Health {
  #busy = 0;
  #changedAt = Math.floor(Date.now() / 1000);

  /** Marks work as running until the returned function is called (idempotent). */
  begin(): () => void {
    if (this.#busy++ === 0) this.#changedAt = Math.floor(Date.now() / 1000);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#busy === 0) this.#changedAt = Math.floor(Date.now() / 1000);
    };
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await work();
    } finally {
      end();
    }
  }

  get inFlight(): number {
    return this.#busy;
  }

  status(): HealthStatus {
    return { status: this.#busy > 0 ? "HealthyBusy" : "Healthy", time_of_last_update: this.#changedAt };
  }
}
