/**
 * Valkey faults, mapped once: a command that could not reach the server (a transport fault, a
 * socket error, a "not now" reply during loading or a failover) becomes `UNAVAILABLE`; errors the
 * server answered stay as they are.
 */
import { FlightlyError } from "../../core/errors.js";

/** Server replies that mean "not now" rather than "wrong": loading, failing over, cluster down. */
const TRANSIENT_REPLY = /^(LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|BUSY )/;

/** iovalkey's own transport faults (no server reply): offline, dropped, unanswered, unreachable. */
const TRANSPORT_FAULT =
  /Stream isn't writeable|Connection is closed|Command timed out|max retries per request|connect E\w+|read E\w+|write E\w+|None of startup nodes is available|Failed to refresh slots cache|ClusterAllFailedError|Too many Cluster redirections|Cluster isn't ready|Node is disconnected|Cluster is disconnect/i;

/**
 * Whether `err` means the server could not be reached (rather than refused the command): a
 * transport fault, a socket error code, or a "not now" reply. Programming errors stay as they are.
 */
export function unreachable(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof FlightlyError) return false;
  if (err.name === "ReplyError") return TRANSIENT_REPLY.test(err.message);
  if (err.name === "MaxRetriesPerRequestError" || err.name === "AbortError") return true;
  const code = (err as { code?: unknown }).code;
  return (typeof code === "string" && /^E[A-Z]+$/.test(code)) || TRANSPORT_FAULT.test(err.message);
}

/** The `UNAVAILABLE` error a transport fault becomes (the iovalkey error as `cause`). */
export function storeUnavailable(cause: unknown): FlightlyError {
  return new FlightlyError("UNAVAILABLE", "the session store (Valkey) is unreachable; retry shortly", {
    cause,
    retryAfterS: 2,
  });
}
