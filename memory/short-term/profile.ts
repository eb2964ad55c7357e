/**
 * The customer's profile: one Valkey hash per actor (party, children's ages, budget, seat and
 * airline preferences, home airport, dietary and accessibility needs), read with one HGETALL.
 * The tiering worker keeps it up to date from what the customer says.
 */
import { FlightlyError } from "../../core/errors.js";
import { redactJson } from "../../core/redact.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";
import { assertId, throwFirstError } from "./session.js";

export interface CustomerProfile {
  /** Human-readable party, e.g. "2 adults, 2 children". */
  family?: string;
  adults?: number;
  children?: number;
  childrenAges?: number[];
  budgetPerNightUsd?: number;
  seat?: "window" | "aisle";
  preferredAirlines?: string[];
  avoidAirlines?: string[];
  /** IATA code. */
  homeAirport?: string;
  dietary?: string[];
  accessibility?: string[];
}

/** Default profile TTL, seconds (30 days; refreshed by every update). */
const DEFAULT_PROFILE_TTL_S = 30 * 86_400;

type Field = keyof CustomerProfile;
const NUMBER_FIELDS = ["adults", "children", "budgetPerNightUsd"] as const satisfies readonly Field[];
const LIST_FIELDS = [
  "preferredAirlines",
  "avoidAirlines",
  "dietary",
  "accessibility",
] as const satisfies readonly Field[];

/** Hash field names (snake_case on the wire). */
const HASH: Record<Field, string> = {
  family: "family",
  adults: "adults",
  children: "children",
  childrenAges: "children_ages",
  budgetPerNightUsd: "budget_per_night_usd",
  seat: "seat",
  preferredAirlines: "preferred_airlines",
  avoidAirlines: "avoid_airlines",
  homeAirport: "home_airport",
  dietary: "dietary",
  accessibility: "accessibility",
};

const SEP = "|";

/** Profile → hash fields (lists joined with `|`); undefined fields are left out. */
function encodeProfile(profile: CustomerProfile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(HASH) as [Field, string][]) {
    const v = profile[field];
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(SEP) : String(v);
  }
  return out;
}

/** Hash fields → profile; unknown or malformed fields are ignored. */
export function decodeProfile(hash: Readonly<Record<string, string>>): CustomerProfile {
  const out: CustomerProfile = {};
  const get = (f: Field): string | undefined => {
    const v = hash[HASH[f]];
    return v === undefined || v === "" ? undefined : v;
  };
  for (const f of NUMBER_FIELDS) {
    const n = Number(get(f));
    if (get(f) !== undefined && Number.isFinite(n)) out[f] = n;
  }
  for (const f of LIST_FIELDS) {
    const v = get(f);
    if (v !== undefined) out[f] = v.split(SEP).filter(Boolean);
  }
  const ages = get("childrenAges");
  if (ages !== undefined) {
    const list = ages.split(SEP).map(Number);
    if (list.every(Number.isFinite)) out.childrenAges = list;
  }
  const seat = get("seat");
  if (seat === "window" || seat === "aisle") out.seat = seat;
  const family = get("family");
  if (family !== undefined) out.family = family;
  const home = get("homeAirport");
  if (home !== undefined) out.homeAirport = home;
  return out;
}

/**
 * Merges a patch into a profile: scalars and children's ages are replaced, lists are unioned
 * (an airline to avoid never drops out because another is named); an airline named as preferred
 * leaves the avoid list and vice versa.
 */
function mergeProfile(current: CustomerProfile, patch: CustomerProfile): CustomerProfile {
  const out: CustomerProfile = { ...current };
  for (const [field, value] of Object.entries(patch) as [Field, CustomerProfile[Field]][]) {
    if (value === undefined) continue;
    if ((LIST_FIELDS as readonly Field[]).includes(field)) {
      const list = field as (typeof LIST_FIELDS)[number];
      out[list] = [...new Set([...(current[list] ?? []), ...(value as string[])])];
    } else {
      (out as Record<Field, unknown>)[field] = value;
    }
  }
  const lower = (xs: readonly string[] | undefined): Set<string> =>
    new Set((xs ?? []).map((x) => x.toLowerCase()));
  if (patch.avoidAirlines?.length && out.preferredAirlines) {
    const avoid = lower(patch.avoidAirlines);
    out.preferredAirlines = out.preferredAirlines.filter((a) => !avoid.has(a.toLowerCase()));
  }
  if (patch.preferredAirlines?.length && out.avoidAirlines) {
    const prefer = lower(patch.preferredAirlines);
    out.avoidAirlines = out.avoidAirlines.filter((a) => !prefer.has(a.toLowerCase()));
  }
  return out;
}

function profileKey(actorId: string): string {
  assertId(actorId, "actorId");
  return keys.profile(actorId);
}

/** The actor's profile: one HGETALL. `{}` when nothing is known. */
export async function getProfile(store: ShortTermStore, actorId: string): Promise<CustomerProfile> {
  return decodeProfile(await store.hgetall(profileKey(actorId)));
}

export interface ProfileOptions {
  /** Profile expiry, milliseconds. */
  ttlMs?: number;
}

/** Reads, merges the patch (`mergeProfile`) and writes back; returns the merged profile. */
export async function updateProfile(
  store: ShortTermStore,
  actorId: string,
  patch: CustomerProfile,
  options?: ProfileOptions,
): Promise<CustomerProfile> {
  const key = profileKey(actorId);
  const merged = mergeProfile(await getProfile(store, actorId), patch);
  // Every known field is written (absent ones as ""), so a list that shrank is overwritten in
  // the same single HSET instead of a delete-then-write a reader could observe half done.
  const fields = { ...Object.fromEntries(Object.values(HASH).map((f) => [f, ""])), ...encodeProfile(merged) };
  const ttlMs = options?.ttlMs ?? DEFAULT_PROFILE_TTL_S * 1000;
  if (ttlMs <= 0) throw new FlightlyError("BAD_REQUEST", "profile ttlMs must be positive");
  const results = await store.pipeline().hset(key, redactJson(fields)).pexpire(key, ttlMs).exec();
  throwFirstError(results);
  return merged;
}
