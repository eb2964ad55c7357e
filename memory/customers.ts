/**
 * Customers as the orchestrator sees them: `actor_id` is `customers.id` as text. Lookups are
 * cached in-process for a minute; an unknown id is a guest.
 */
import type { Sql } from "postgres";

export interface Customer {
  id: string;
  name: string;
  email: string;
  profile: Record<string, unknown>;
}

export class Customers {
  readonly #cache = new Map<string, { value: Customer | null; until: number }>();

  constructor(
    private readonly sql: Sql,
    private readonly ttlMs = 60_000,
  ) {}

  /** Customers by id, at most `limit` (the studio's picker). */
  async list(limit = 200): Promise<{ id: string; name: string }[]> {
    return this.sql<{ id: string; name: string }[]>`
      SELECT id::text, name FROM customers ORDER BY id LIMIT ${Math.min(Math.max(1, limit), 1000)}`;
  }

  /** The cached lookup without waiting: undefined when not held (or expired). */
  cached(actorId: string): Customer | null | undefined {
    const hit = this.#cache.get(actorId);
    return hit && hit.until > Date.now() ? hit.value : undefined;
  }

  async get(actorId: string): Promise<Customer | null> {
    const hit = this.#cache.get(actorId);
    if (hit && hit.until > Date.now()) return hit.value;
    let value: Customer | null = null;
    if (/^\d{1,18}$/.test(actorId)) {
      const [row] = await this.sql<
        { id: string; name: string; email: string; profile: Record<string, unknown> }[]
      >`
        SELECT id::text, name, email, profile FROM customers WHERE id = ${actorId}::bigint`;
      value = row ?? null;
    }
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(actorId, { value, until: Date.now() + this.ttlMs });
    return value;
  }
}
