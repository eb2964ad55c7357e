/**
 * The simulated card processor behind `process_payment`. It behaves like a real one where it
 * matters: charges carry an idempotency key and a repeated key returns the first outcome without
 * charging again; outcomes follow documented test cards; card numbers never leave this module
 * except as their last four digits.
 *
 * Test cards (any other number that passes the Luhn check succeeds):
 *
 * | number             | outcome                       |
 * |--------------------|-------------------------------|
 * | 4242424242424242   | succeeded                     |
 * | 5555555555554444   | succeeded                     |
 * | 4000000000000002   | declined `card_declined`      |
 * | 4000000000009995   | declined `insufficient_funds` |
 * | 4000000000000069   | declined `expired_card`       |
 * | 4000000000000127   | declined `incorrect_cvc`      |
 *
 * A card on file is known by its last four digits only; the same table applies to them
 * (on file ending 0002 declines, ending 4242 succeeds).
 */
import { randomUUID } from "node:crypto";
import { luhn } from "../core/redact.js";

export type DeclineReason = "card_declined" | "insufficient_funds" | "expired_card" | "incorrect_cvc";

export const TEST_CARDS: Readonly<Record<string, "succeeded" | DeclineReason>> = {
  "4242424242424242": "succeeded",
  "5555555555554444": "succeeded",
  "4000000000000002": "card_declined",
  "4000000000009995": "insufficient_funds",
  "4000000000000069": "expired_card",
  "4000000000000127": "incorrect_cvc",
};

const BY_LAST4 = new Map(Object.entries(TEST_CARDS).map(([n, o]) => [n.slice(-4), o]));

/** A card as the processor receives it: a full number, or the customer's stored card. */
export type CardInput = { kind: "number"; number: string } | { kind: "on_file"; last4: string };

export interface ChargeRequest {
  /** The processor deduplicates on it, as real processors do. */
  idempotencyKey: string;
  amountCents: number;
  card: CardInput;
}

export interface ChargeOutcome {
  /** The processor's charge id. */
  id: string;
  status: "succeeded" | "declined";
  declineReason: DeclineReason | null;
  last4: string;
  amountCents: number;
}

export interface PaymentProcessor {
  charge(request: ChargeRequest, options?: { signal?: AbortSignal }): Promise<ChargeOutcome>;
}

/** Digits only: spaces and dashes removed. */
export const cardDigits = (card: string): string => card.replace(/[\s-]/g, "");

/** A 12–19 digit number passing the Luhn checksum. */
export function luhnValid(digits: string): boolean {
  return /^\d{12,19}$/.test(digits) && luhn(digits);
}

/** In-memory processor; `charges` counts distinct charges (idempotent repeats excluded). */
export class SimulatedProcessor implements PaymentProcessor {
  readonly #byKey = new Map<string, Promise<ChargeOutcome>>();
  #charges = 0;

  get charges(): number {
    return this.#charges;
  }

  charge(request: ChargeRequest, options?: { signal?: AbortSignal }): Promise<ChargeOutcome> {
    options?.signal?.throwIfAborted();
    const seen = this.#byKey.get(request.idempotencyKey);
    if (seen) return seen;
    this.#charges++;
    const last4 = request.card.kind === "number" ? request.card.number.slice(-4) : request.card.last4;
    const rule =
      request.card.kind === "number" ? TEST_CARDS[request.card.number] : BY_LAST4.get(request.card.last4);
    const status = rule === undefined || rule === "succeeded" ? "succeeded" : "declined";
    const outcome: ChargeOutcome = {
      id: `ch_${randomUUID().replaceAll("-", "").slice(0, 20)}`,
      status,
      declineReason: status === "declined" ? (rule as DeclineReason) : null,
      last4,
      amountCents: request.amountCents,
    };
    const result = Promise.resolve(outcome);
    this.#byKey.set(request.idempotencyKey, result);
    return result;
  }
}
