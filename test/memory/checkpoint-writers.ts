/**
 * A read-modify-write checkpoint writer for the compare-and-set tests: read, append a step,
 * write at the version read; on a conflict pause at random and try again, up to `maxAttempts`.
 */
import { CheckpointConflictError } from "../../core/errors.js";
import { type CompletedStep, getCheckpoint, writeCheckpoint } from "../../memory/short-term/checkpoints.js";
import type { SessionScope } from "../../memory/short-term/session.js";
import type { ShortTermStore } from "../../memory/store/types.js";

export async function appendStep(
  store: ShortTermStore,
  scope: SessionScope,
  step: CompletedStep,
  options: { maxAttempts: number; backoffMs?: number },
): Promise<{ version: number }> {
  const backoffMs = options.backoffMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    const current = await getCheckpoint(store, scope);
    const data = { plan: current?.data.plan ?? null, steps: [...(current?.data.steps ?? []), step] };
    try {
      return { version: await writeCheckpoint(store, scope, current?.version ?? 0, data) };
    } catch (err) {
      if (!(err instanceof CheckpointConflictError) || attempt >= options.maxAttempts) throw err;
      const cap = backoffMs * 2 ** Math.min(attempt - 1, 3);
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}
