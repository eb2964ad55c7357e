/** Shared test settings: the real Valkey-compatible server on 6379 (override with TEST_VALKEY_URL). */
import { randomUUID } from "node:crypto";

export const TEST_VALKEY_URL = process.env.TEST_VALKEY_URL ?? "redis://127.0.0.1:6379";

/** A unique id so parallel test files never share keys on the shared server. */
export const uniq = (prefix = "t"): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
