/**
 * The order of a plan is a property of the plan, not of the words that asked for it: a step runs
 * after every step that produces what it needs (the contact email before the booking that uses
 * it, the booking before the insurance and payment that need one). Each agent's place comes from
 * the `makes` and `needs` of the definitions, so a new agent finds its place by declaring them;
 * agents with no dependency between them keep the order they were given in.
 */
import { agents } from "./index.js";
import type { AgentName } from "./types.js";

/** Each agent's depth in the dependency graph: 0 needs nothing another agent makes. */
function depths(): ReadonlyMap<AgentName, number> {
  const all = Object.values(agents);
  const depth = new Map<AgentName, number>();
  const visiting = new Set<AgentName>();
  const of = (name: AgentName): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    // A cycle gives no order: the agents in it keep the order they were given in.
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const needs = agents[name].needs ?? [];
    const makers = all.filter((a) => a.name !== name && (a.makes ?? []).some((p) => needs.includes(p)));
    const d = makers.length === 0 ? 0 : 1 + Math.max(...makers.map((a) => of(a.name)));
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const a of all) of(a.name);
  return depth;
}

let cached: ReadonlyMap<AgentName, number> | undefined;

/** The agents of a plan in working order, each once (its first mention kept). */
export function orderPlan(plan: readonly AgentName[]): AgentName[] {
  cached ??= depths();
  const rank = cached;
  const unique = [...new Set(plan)];
  return unique
    .map((name, i) => ({ name, i }))
    .sort((a, b) => (rank.get(a.name) ?? 0) - (rank.get(b.name) ?? 0) || a.i - b.i)
    .map((x) => x.name);
}

/** `a` must run before `b`: `b` needs, directly or through others, something `a` makes. */
export function runsBefore(a: AgentName, b: AgentName): boolean {
  cached ??= depths();
  return (cached.get(a) ?? 0) < (cached.get(b) ?? 0);
}
