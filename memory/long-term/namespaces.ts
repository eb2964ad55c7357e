/**
 * Memory namespaces: `/actors/{actorId}/preferences`, `/facts`, `/summaries/{sessionId}`,
 * `/episodes/{sessionId}`. The actor always comes from the caller's context; a namespace a
 * caller sends is only ever resolved *under* that actor, and one naming another actor is refused.
 */
import { FlightlyError } from "../../core/errors.js";

export type MemoryKind = "preference" | "fact" | "summary" | "episode";

/** URI-encoding that also encodes `.`, so no id can form a `.` or `..` segment. */
const seg = (id: string): string => encodeURIComponent(id).replace(/\./g, "%2E");

const SECTIONS = ["preferences", "facts", "summaries", "episodes"] as const;
type Section = (typeof SECTIONS)[number];
const PER_SESSION: ReadonlySet<Section> = new Set(["summaries", "episodes"]);

export const namespaces = {
  root: (actorId: string): string => `/actors/${seg(actorId)}`,
  preferences: (actorId: string): string => `/actors/${seg(actorId)}/preferences`,
  facts: (actorId: string): string => `/actors/${seg(actorId)}/facts`,
  summaries: (actorId: string, sessionId: string): string =>
    `/actors/${seg(actorId)}/summaries/${seg(sessionId)}`,
  episodes: (actorId: string, sessionId: string): string =>
    `/actors/${seg(actorId)}/episodes/${seg(sessionId)}`,
} as const;

/** The namespace a kind of memory lives in. */
export function namespaceFor(actorId: string, kind: MemoryKind, sessionId?: string): string {
  if (kind === "preference") return namespaces.preferences(actorId);
  if (kind === "fact") return namespaces.facts(actorId);
  if (sessionId === undefined) throw new FlightlyError("BAD_REQUEST", `a ${kind} memory needs a session id`);
  return kind === "summary"
    ? namespaces.summaries(actorId, sessionId)
    : namespaces.episodes(actorId, sessionId);
}

const bad = (message: string): FlightlyError => new FlightlyError("BAD_REQUEST", message);

/**
 * Resolves a caller's namespace (absolute `/actors/<id>/...` or relative `preferences`,
 * `/summaries/<session>`) under `actorId`. `exact` requires a full namespace a memory can live
 * in; otherwise a prefix (whole segments) is accepted, and none means the actor's root.
 * @throws FlightlyError BAD_REQUEST for malformed input, FORBIDDEN for another actor's namespace.
 */
export function resolveNamespace(actorId: string, namespace: string | undefined, exact = false): string {
  const root = namespaces.root(actorId);
  if (namespace === undefined || namespace === "" || namespace === "/") {
    if (exact) throw bad("a namespace is required");
    return root;
  }
  if (namespace.length > 512) throw bad("namespace is too long");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
  if (/[\u0000-\u001f\u007f\\]/.test(namespace)) throw bad("namespace contains a forbidden character");
  let path = namespace.endsWith("/") ? namespace.slice(0, -1) : namespace;
  if (path.startsWith("/actors/") || path === "/actors") {
    if (path !== root && !path.startsWith(`${root}/`)) {
      throw new FlightlyError("FORBIDDEN", "namespace belongs to another actor");
    }
  } else {
    path = `${root}${path.startsWith("/") ? "" : "/"}${path}`;
  }
  const rest = path.slice(root.length).split("/").slice(1);
  if (rest.some((s) => s === "" || s === "." || s === ".."))
    throw bad("namespace has an empty or dot segment");
  if (rest.length > 0 && !SECTIONS.includes(rest[0] as Section)) {
    throw bad(`namespace section must be one of ${SECTIONS.join(", ")}`);
  }
  const section = rest[0] as Section | undefined;
  const maxDepth = section && PER_SESSION.has(section) ? 2 : 1;
  if (rest.length > maxDepth) throw bad("namespace is too deep");
  if (exact && (section === undefined || rest.length !== maxDepth)) throw bad("namespace is incomplete");
  return path;
}

/** SQL LIKE pattern for everything strictly below `prefix`, with `%`, `_` and `\` escaped. */
export function likeBelow(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
}
