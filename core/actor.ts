/**
 * Actor ids: any `[A-Za-z0-9._:@-]{1,128}`; a digit-only id is a customer number, so it is
 * canonical without leading zeros (`01` and `1` are one customer, with one session, cache and
 * memory scope). Every scope is built from the canonical id.
 */
export const ACTOR_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function canonicalActorId(id: string): string {
  return /^\d+$/.test(id) ? id.replace(/^0+(?=\d)/, "") : id;
}
