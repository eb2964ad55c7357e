/**
 * The semantic router: k nearest labelled examples by embedding similarity decide the plan
 * without a model call when they agree clearly; otherwise the caller falls back to letting the
 * model route through the handoff tool. A question about the rules (`isRulesQuestion`: what
 * the customer may do, needs, pays or gets back) goes to support whatever it mentions — a flight,
 * a card, insurance — since only support reads the policies. The plan comes back in working order
 * (`agents/plan.ts`): what each step needs decides it, never the order an example happened to list.
 */

import { orderPlan } from "../agents/plan.js";
import type { RouteExample } from "../agents/routes.js";
import type { AgentName } from "../agents/types.js";
import { isRulesQuestion } from "../language/index.js";
import type { Embedder } from "../memory/embeddings/types.js";

export interface RouteDecision {
  /**
   * In working order. A confident route is the winning example's plan; otherwise every agent
   * the nearest examples named, so each step still has its agent and the agents' own handoffs
   * add what is missing.
   */
  plan: AgentName[];
  confident: boolean;
  /** Best example similarity, and its margin over the best example of another plan. */
  similarity: number;
  margin: number;
  ms: number;
}

export interface RouterOptions {
  minSimilarity?: number;
  minMargin?: number;
  k?: number;
  /**
   * The text as the help centre reads it (shorthand written out, misspellings corrected): a rules
   * question in chat spelling ("refnd") is read in the words the policy examples use, as the
   * scope gate reads it. Identity by default.
   */
  normalize?: (text: string) => string;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Intent, not identity, decides the route: case and trailing punctuation are noise here. */
const routingText = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[?!.]+$/u, "")
    .trim();

export class SemanticRouter {
  #vectors: Float32Array[] = [];
  readonly #minSimilarity: number;
  readonly #minMargin: number;
  readonly #k: number;
  readonly #normalize: (text: string) => string;

  private constructor(
    private readonly embedder: Embedder,
    private readonly examples: readonly RouteExample[],
    options: RouterOptions,
  ) {
    this.#minSimilarity = options.minSimilarity ?? 0.55;
    this.#minMargin = options.minMargin ?? 0.02;
    this.#k = options.k ?? 3;
    this.#normalize = options.normalize ?? ((text) => text);
  }

  static async create(
    embedder: Embedder,
    examples: readonly RouteExample[],
    options: RouterOptions = {},
  ): Promise<SemanticRouter> {
    const router = new SemanticRouter(embedder, examples, options);
    router.#vectors = await embedder.embed(examples.map((e) => routingText(e.text)));
    return router;
  }

  async route(asked: string): Promise<RouteDecision> {
    const started = performance.now();
    const text = this.#normalize(asked);
    const v = (await this.embedder.embed([routingText(text)]))[0]!;
    const scored = this.examples
      .map((e, i) => ({ plan: e.plan, key: e.plan.join(">"), sim: dot(v, this.#vectors[i]!) }))
      .sort((a, b) => b.sim - a.sim);
    // Vote among the k nearest, weighted by similarity.
    const votes = new Map<string, { plan: AgentName[]; score: number; best: number }>();
    for (const s of scored.slice(0, this.#k)) {
      const cur = votes.get(s.key) ?? { plan: s.plan, score: 0, best: s.sim };
      cur.score += s.sim;
      votes.set(s.key, cur);
    }
    const winner = [...votes.values()].sort((a, b) => b.score - a.score)[0]!;
    const rival = scored.find((s) => s.key !== winner.plan.join(">"));
    const margin = winner.best - (rival?.sim ?? 0);
    if (isRulesQuestion(text)) {
      return {
        plan: ["support"],
        confident: true,
        similarity: Math.round(winner.best * 1000) / 1000,
        margin: Math.round(margin * 1000) / 1000,
        ms: performance.now() - started,
      };
    }
    const confident = winner.best >= this.#minSimilarity && margin >= this.#minMargin;
    const plan = confident ? winner.plan : [...votes.values()].flatMap((v) => v.plan);
    return {
      plan: orderPlan(plan),
      confident,
      similarity: Math.round(winner.best * 1000) / 1000,
      margin: Math.round(margin * 1000) / 1000,
      ms: performance.now() - started,
    };
  }
}
