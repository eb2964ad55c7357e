/**
 * The studio: a local page to pick a customer, chat, and watch the handoff trail live. The page
 * and its two assets are files of `orchestrator/runtime/studio/`, served from here (no CDN; the
 * content security policy allows this origin only). The page chats over the ordinary
 * `POST /invocations` SSE stream; this module adds what it reads besides: the customers, and one
 * customer's memories and bookings, and the redacted form of what was typed. Everything it returns
 * is redacted like the rest of the service.
 * With auth on, each endpoint needs the bearer token and shows its subject's data only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";
import { ACTOR_ID, canonicalActorId } from "../../core/actor.js";
import { FlightlyError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import type { Logger } from "../../core/logger.js";
import { ROOT } from "../../core/paths.js";
import { redactText, redactValue } from "../../core/redact.js";
import type { App } from "./app.js";
import type { Authenticator } from "./auth.js";

/** Where the page's files live, in the sources and next to `dist/` in the image. */
const ASSET_DIR = join(ROOT, "orchestrator", "runtime", "studio");
const ASSETS: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "studio.js": "text/javascript; charset=utf-8",
  "studio.css": "text/css; charset=utf-8",
};
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MEMORY_LIMIT = 30;

export interface StudioOptions {
  app: () => App | undefined;
  logger: Logger;
  authenticate: Authenticator | undefined;
}

function readAssets(): Map<string, Buffer> {
  return new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(ASSET_DIR, name))]));
}

export function studioRoutes(o: StudioOptions): (app: FastifyInstance) => void {
  // Read once, at start-up: a missing file fails here, not on the first visit.
  const files = readAssets();
  const serve = (reply: FastifyReply, name: string): FastifyReply =>
    reply
      .header("content-type", ASSETS[name])
      .header("content-security-policy", CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("cache-control", "no-cache")
      .send(files.get(name));

  const ready = (): App => {
    const app = o.app();
    if (!app) throw new FlightlyError("UNAVAILABLE", "Flightly is starting up", { retryAfterS: 2 });
    return app;
  };
  /** The signed-in actor with auth on; undefined (anyone may be picked) with auth off. */
  const signedIn = async (authorization: string | undefined): Promise<string | undefined> =>
    o.authenticate ? canonicalActorId((await o.authenticate(authorization)).actorId) : undefined;

  return (http) => {
    http.get("/studio", async (_req, reply) => serve(reply, "index.html"));
    http.get("/studio/", async (_req, reply) => serve(reply, "index.html"));
    http.get<{ Params: { name: string } }>("/studio/assets/:name", async (req, reply) => {
      const name = req.params.name;
      if (name === "index.html" || !files.has(name)) return reply.callNotFound();
      return serve(reply, name);
    });

    /** What the page needs to know before it asks anything. */
    http.get("/studio/api/config", async () => ({ auth: o.authenticate !== undefined }));

    /**
     * The page shows a typed prompt as the service keeps it: masked by the one redactor, never
     * echoed raw (a card typed into the chat reads `[CARD ****4242]` on the page too).
     */
    http.post("/studio/api/redact", async (req) => {
      await signedIn(req.headers.authorization);
      const text = (req.body as { text?: unknown } | null)?.text;
      if (typeof text !== "string" || text.length > 20_000)
        throw new FlightlyError("BAD_REQUEST", "text must be a string of at most 20000 characters");
      return { text: redactText(text) };
    });

    http.get("/studio/api/customers", async (req) => {
      const actor = await signedIn(req.headers.authorization);
      const app = ready();
      if (actor === undefined) return redactValue({ customers: await app.customers.list() });
      const mine = await app.customers.get(actor);
      return redactValue({ customers: mine ? [{ id: mine.id, name: mine.name }] : [] });
    });

    http.get<{ Params: { id: string } }>("/studio/api/customers/:id", async (req) => {
      const actor = await signedIn(req.headers.authorization);
      const raw = req.params.id;
      if (!ACTOR_ID.test(raw))
        throw new FlightlyError("BAD_REQUEST", "customer id must be 1-128 letters, digits or . _ : @ -");
      const id = canonicalActorId(raw);
      if (actor !== undefined && actor !== id)
        throw new FlightlyError("FORBIDDEN", "the studio shows the signed-in customer only");
      return redactValue(await customerView(ready(), id, o.logger));
    });
  };
}

/** One customer as the studio shows it: who, their newest memories, their bookings. */
async function customerView(app: App, id: string, logger: Logger): Promise<unknown> {
  const customer = await app.customers.get(id);
  if (!customer) return { customer: null, memories: [], bookings: [] };
  const list = app.tools.get("list_bookings");
  const [memories, bookings] = await Promise.all([
    app.longTerm.list(id, { limit: MEMORY_LIMIT }),
    list
      ? list.run(
          {},
          {
            actor: { id, guest: false },
            sessionId: "studio",
            logger,
            signal: AbortSignal.timeout(10_000),
            deadline: Date.now() + 10_000,
          },
        )
      : undefined,
  ]);
  const booked = bookings?.status === "success" ? (bookings.json as { bookings?: JsonValue[] }).bookings : [];
  return {
    customer: { id: customer.id, name: customer.name, email: customer.email },
    memories: memories.map((m) => ({ kind: m.kind, content: m.content, updated_at: m.updatedAt })),
    bookings: booked ?? [],
  };
}
