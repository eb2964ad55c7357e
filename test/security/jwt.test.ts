/**
 * Inbound auth with AUTH_DISCOVERY_URL (DESIGN §6): a local identity provider on port 0 serves
 * the discovery document and the JWKS; tokens are minted with jose or forged by hand. Every
 * answer is checked for the token it was sent and for stack frames; every log line the runtimes
 * wrote is checked for secrets at the end.
 */
import type { AddressInfo } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { freePort } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";
import {
  AUDIENCE,
  CLIENT,
  captureLogs,
  claimsFor,
  hmacWithPublicKey,
  STACK_FRAME,
  secretsIn,
  signingKey,
  startIdp,
  type TestIdp,
  unsignedToken,
} from "./support.js";

const logs = captureLogs();
/** Every Authorization value sent in this file, forged ones included. */
const sent: string[] = [];
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = (): number => Math.floor(Date.now() / 1000);

function checkAnswer(res: LightMyRequestResponse, authorization: string | undefined): void {
  const token = authorization?.replace(/^\s*\S+\s+/, "") ?? "";
  if (token.length >= 16) expect(res.body.includes(token), "the answer echoes the token").toBe(false);
  expect(secretsIn(res.body, sent)).toEqual([]);
  expect(res.body).not.toMatch(STACK_FRAME);
}

async function invoke(
  rt: TestRuntime,
  authorization: string | undefined,
  body: Record<string, unknown> = { prompt: "What is the checked baggage allowance?" },
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  if (authorization !== undefined) sent.push(authorization);
  const res = await rt.running.http.inject({
    method: "POST",
    url: "/invocations",
    headers: {
      "content-type": "application/json",
      ...(authorization !== undefined ? { authorization } : {}),
      ...headers,
    },
    payload: JSON.stringify(body),
  });
  checkAnswer(res, authorization);
  return res;
}

const bearer = (token: string): string => `Bearer ${token}`;

describe("inbound JWT on /invocations", () => {
  let idp: TestIdp;
  let rt: TestRuntime;

  beforeAll(async () => {
    idp = await startIdp();
    rt = await startTestRuntime({
      logger: logs.logger,
      env: {
        AUTH_DISCOVERY_URL: idp.discoveryUrl,
        AUTH_ALLOWED_AUDIENCE: AUDIENCE,
        AUTH_ALLOWED_CLIENTS: `${CLIENT},flightly-mobile`,
      },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await idp?.close();
  });

  it("a valid token answers 200 as the token's subject, whatever actor_id the body names", async () => {
    const res = await invoke(rt, bearer(await idp.mint({ sub: "2" })), {
      prompt: "What is the checked baggage allowance?",
      actor_id: "1",
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.actor_id).toBe("2");
    // The turn is recorded under the subject's session, not the body's actor.
    const session = res.headers[SESSION_HEADER] as string;
    const asSub = await rt.app.memory.assemble({ actorId: "2", sessionId: session }, "x");
    const asBody = await rt.app.memory.assemble({ actorId: "1", sessionId: session }, "x");
    expect(asSub.history.length).toBe(2);
    expect(asBody.history.length).toBe(0);
  });

  it("accepts the client from azp, an audience list that includes ours, and lowercase `bearer`", async () => {
    const azp = await idp.mint({ azp: "flightly-mobile" }, { omit: ["client_id"] });
    expect((await invoke(rt, bearer(azp))).statusCode).toBe(200);
    const audList = await idp.mint({ aud: ["other-api", AUDIENCE] });
    expect((await invoke(rt, bearer(audList))).statusCode).toBe(200);
    const lower = await idp.mint();
    expect((await invoke(rt, `bearer ${lower}`)).statusCode).toBe(200);
  });

  it("a missing token is 401 on the streaming path too, before any event is written", async () => {
    const json = await invoke(rt, undefined);
    expect(json.statusCode).toBe(401);
    expect(json.json().error).toMatchObject({ code: "UNAUTHORIZED", message: "a bearer token is required" });
    const sse = await invoke(rt, undefined, { prompt: "hello" }, { accept: "text/event-stream" });
    expect(sse.statusCode).toBe(401);
    expect(sse.headers["content-type"]).toMatch(/application\/json/);
  });

  const malformed: Array<[string, string]> = [
    ["an empty header", ""],
    ["the scheme alone", "Bearer"],
    ["the scheme and spaces", "Bearer    "],
    ["Basic credentials", "Basic dXNlcjpwYXNzd29yZA=="],
    ["a word, not a JWT", "Bearer not-a-jwt"],
    ["two segments", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyIn0"],
    ["five segments (a JWE)", "Bearer aaaa.bbbb.cccc.dddd.eeee"],
    ["another scheme", "Token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyIn0.c2ln"],
    ["a token with a space inside", "Bearer eyJhbGciOiJSUzI1NiJ9 .eyJzdWIiOiIyIn0.c2ln"],
    ["a token with a quote", 'Bearer "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyIn0.c2ln"'],
  ];
  it.each(malformed)("%s is 401 without asking the identity provider", async (_name, authorization) => {
    const fetchesBefore = idp.jwksFetches.length;
    const res = await invoke(rt, authorization);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHORIZED");
    expect(idp.jwksFetches.length).toBe(fetchesBefore);
  });

  it("base64url that is not a JWS is 401, not 500 or 503", async () => {
    for (const token of [
      "aaaaaaaa.bbbbbbbb.cccccccc",
      `${Buffer.from("not json").toString("base64url")}.${b64({ sub: "2" })}.c2ln`,
      `${b64(null)}.${b64({ sub: "2" })}.c2ln`,
      `${b64({ alg: "RS256", kid: "key-1", crit: ["exp"] })}.${b64({ sub: "2" })}.c2ln`,
      `${b64({ alg: "RS256", kid: "key-1", b64: false, crit: ["b64"] })}.${b64({ sub: "2" })}.c2ln`,
    ]) {
      const res = await invoke(rt, bearer(token));
      expect(res.statusCode, token).toBe(401);
    }
  });

  const rejected: Array<[string, (idp: TestIdp) => Promise<string>, number, RegExp]> = [
    ["an expired token", (i) => i.mint({ iat: now() - 7200, exp: now() - 3600 }), 401, /not valid/],
    ["a token expired past the clock tolerance", (i) => i.mint({ exp: now() - 90 }), 401, /not valid/],
    ["a token not valid yet (nbf in the future)", (i) => i.mint({ nbf: now() + 3600 }), 401, /not valid/],
    ["a token from another issuer", (i) => i.mint({ iss: "https://evil.example" }), 401, /not valid/],
    ["a token without an issuer", (i) => i.mint({}, { omit: ["iss"] }), 401, /not valid/],
    ["a token without a subject", (i) => i.mint({}, { omit: ["sub"] }), 401, /not valid/],
    ["a token without an expiry", (i) => i.mint({}, { omit: ["exp"] }), 401, /not valid/],
    ["a numeric subject", (i) => i.mint({ sub: 2 as unknown as string }), 401, /subject/],
    ["a subject with a newline", (i) => i.mint({ sub: "2\nadmin" }), 401, /subject/],
    ["a 300-character subject", (i) => i.mint({ sub: "1".repeat(300) }), 401, /subject/],
    ["another audience", (i) => i.mint({ aud: "some-other-api" }), 403, /audience/],
    ["no audience", (i) => i.mint({}, { omit: ["aud"] }), 403, /audience/],
    ["another client", (i) => i.mint({ client_id: "evil-client" }), 403, /client/],
    ["no client", (i) => i.mint({}, { omit: ["client_id"] }), 403, /client/],
    [
      "a client id that is a list",
      (i) => i.mint({ client_id: [CLIENT] as unknown as string }),
      403,
      /client/,
    ],
  ];
  it.each(rejected)("%s is refused", async (_name, token, status, message) => {
    const res = await invoke(rt, bearer(await token(idp)));
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
    expect(res.json().error.message).toMatch(message);
  });

  it("alg none, crafted by hand, is 401 in every spelling", async () => {
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      const res = await invoke(rt, bearer(unsignedToken(claimsFor(idp, "1"), alg)));
      expect(res.statusCode, alg).toBe(401);
    }
  });

  it("HS256 signed with the provider's RSA public key as the HMAC secret is 401", async () => {
    const res = await invoke(rt, bearer(await hmacWithPublicKey(idp.current, claimsFor(idp, "1"))));
    expect(res.statusCode).toBe(401);
  });

  it("a key the provider never published is 401, whether its kid is unknown or borrowed", async () => {
    const attacker = await signingKey("attacker-key");
    const unknownKid = await idp.mint({ sub: "1" }, { key: attacker });
    expect((await invoke(rt, bearer(unknownKid))).statusCode).toBe(401);
    const borrowed = await idp.mint({ sub: "1" }, { key: { ...attacker, kid: idp.current.kid } });
    expect((await invoke(rt, bearer(borrowed))).statusCode).toBe(401);
    const es = await signingKey(idp.current.kid, "ES256");
    const otherAlg = await idp.mint({ sub: "1" }, { key: es });
    expect((await invoke(rt, bearer(otherAlg))).statusCode).toBe(401);
  });

  it("a token with a huge payload is refused fast: 401 in-process, 431 on a real socket", async () => {
    const huge = await idp.mint({ pad: "x".repeat(1_000_000) });
    const started = performance.now();
    const res = await invoke(rt, bearer(huge));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/too large/);
    expect(performance.now() - started).toBeLessThan(1_000);
    const junk = await invoke(rt, bearer(`${"a".repeat(20_000)}.${"b".repeat(20_000)}.c`));
    expect(junk.statusCode).toBe(401);
    // Over TCP, Node refuses headers over 16 KB before Fastify sees them.
    const { port } = rt.running.http.server.address() as AddressInfo;
    const real = await fetch(`http://127.0.0.1:${port}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bearer(huge.slice(0, 64_000)) },
      body: JSON.stringify({ prompt: "hi" }),
    });
    expect(real.status).toBe(431);
    await real.body?.cancel();
  });

  it("JWKS rotation: the new key passes once the cooldown allows a refetch; the retired key fails", async () => {
    const waitCooldown = async (): Promise<void> => {
      const last = idp.jwksFetches.at(-1);
      if (last !== undefined) await sleep(Math.max(0, last + 5_300 - Date.now()));
    };
    // Make the runtime fetch the JWKS now, so the cooldown window below is known.
    await waitCooldown();
    const attacker = await signingKey("probe");
    const before = idp.jwksFetches.length;
    expect((await invoke(rt, bearer(await idp.mint({}, { key: attacker })))).statusCode).toBe(401);
    expect(idp.jwksFetches.length).toBe(before + 1);

    const retired = await idp.rotate();
    // Inside the cooldown the new kid is unknown and the JWKS is not fetched again.
    expect((await invoke(rt, bearer(await idp.mint({ sub: "3" })))).statusCode).toBe(401);
    expect(idp.jwksFetches.length).toBe(before + 1);

    await waitCooldown();
    const fresh = await invoke(rt, bearer(await idp.mint({ sub: "3" })));
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().actor_id).toBe("3");
    expect(idp.jwksFetches.length).toBe(before + 2);
    const old = await invoke(rt, bearer(await idp.mint({ sub: "3" }, { key: retired })));
    expect(old.statusCode).toBe(401);

    // Spraying unknown kids cannot make the runtime hammer the provider.
    for (let i = 0; i < 20; i++) {
      const spray = await idp.mint({}, { key: await signingKey(`spray-${i}`, "ES256") });
      expect((await invoke(rt, bearer(spray))).statusCode).toBe(401);
    }
    expect(idp.jwksFetches.length).toBe(before + 2);
  });
});

describe("an identity provider that is down or broken", () => {
  let port: number;
  let idp: TestIdp | undefined;
  let rt: TestRuntime;
  const offline = signingKey("offline");
  const anyToken = async (): Promise<string> => {
    const key = await offline;
    const { SignJWT } = await import("jose");
    const token = await new SignJWT({ sub: "2", exp: now() + 600 })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .sign(key.privateKey);
    sent.push(token);
    return token;
  };

  beforeAll(async () => {
    port = await freePort();
    rt = await startTestRuntime({
      logger: logs.logger,
      env: {
        AUTH_DISCOVERY_URL: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
        AUTH_ALLOWED_AUDIENCE: AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await idp?.close();
  });

  const expect503 = (res: LightMyRequestResponse): void => {
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json().error.code).toBe("UNAVAILABLE");
    expect(res.json().error.message).toMatch(/identity provider/);
    expect(res.body).not.toContain(String(port));
  };

  it("nothing listening: 503 with a retry hint, not 500; a missing token is still 401", async () => {
    expect503(await invoke(rt, bearer(await anyToken())));
    expect((await invoke(rt, undefined)).statusCode).toBe(401);
  });

  it("a provider that drops connections, answers 500 or serves garbage: 503 each time", async () => {
    idp = await startIdp({ port, mode: "refuse" });
    expect503(await invoke(rt, bearer(await anyToken())));
    idp.mode = "discovery-500";
    expect503(await invoke(rt, bearer(await anyToken())));
    idp.mode = "discovery-garbage";
    expect503(await invoke(rt, bearer(await anyToken())));
  });

  it("discovery works but the JWKS does not: 503 (the token is not at fault), then recovery", async () => {
    const provider = idp!;
    provider.mode = "jwks-500";
    expect503(await invoke(rt, bearer(await provider.mint({}, { omit: ["aud", "client_id"] }))));
    provider.mode = "up";
    const ok = await invoke(rt, bearer(await provider.mint({ sub: "4" })));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().actor_id).toBe("4");
    // Keys already fetched keep working while the provider is unreachable again.
    provider.mode = "refuse";
    expect((await invoke(rt, bearer(await provider.mint({ sub: "4" })))).statusCode).toBe(200);
  });
});

describe("the orchestrator over MCP (serve --protocol mcp) with auth on", () => {
  let idp: TestIdp;
  let rt: TestRuntime;
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "security-test", version: "0" },
    },
  };
  const mcp = async (
    authorization: string | undefined,
    body: unknown,
    raw = false,
  ): Promise<LightMyRequestResponse> => {
    if (authorization !== undefined) sent.push(authorization);
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/mcp",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(authorization !== undefined ? { authorization } : {}),
      },
      payload: raw ? (body as string) : JSON.stringify(body),
    });
    checkAnswer(res, authorization);
    return res;
  };
  const call = (authorization: string, name: string, args: Record<string, unknown>) =>
    mcp(authorization, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: args } });

  beforeAll(async () => {
    idp = await startIdp();
    rt = await startTestRuntime({
      logger: logs.logger,
      env: {
        PROTOCOL: "mcp",
        AUTH_DISCOVERY_URL: idp.discoveryUrl,
        AUTH_ALLOWED_AUDIENCE: AUDIENCE,
        AUTH_ALLOWED_CLIENTS: CLIENT,
      },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await idp?.close();
  });

  it("serves /mcp, not /invocations", async () => {
    const res = await invoke(rt, bearer(await idp.mint()));
    expect(res.statusCode).toBe(404);
  });

  it("without a token: 401 with WWW-Authenticate: Bearer", async () => {
    const res = await mcp(undefined, initialize);
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toBe("Bearer");
  });

  it("forged, expired, foreign-audience tokens: refused, with invalid_token on the 401s", async () => {
    const forged = await mcp(bearer(unsignedToken(claimsFor(idp, "1"))), initialize);
    expect(forged.statusCode).toBe(401);
    expect(forged.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
    const confused = await mcp(bearer(await hmacWithPublicKey(idp.current, claimsFor(idp, "1"))), initialize);
    expect(confused.statusCode).toBe(401);
    const expired = await mcp(bearer(await idp.mint({ exp: now() - 3600 })), initialize);
    expect(expired.statusCode).toBe(401);
    const foreign = await mcp(bearer(await idp.mint({ aud: "other" })), initialize);
    expect(foreign.statusCode).toBe(403);
  });

  it("a valid token initializes, and `ask` runs as the token's subject", async () => {
    const token = bearer(await idp.mint({ sub: "3" }));
    const init = await mcp(token, initialize);
    expect(init.statusCode).toBe(200);
    expect(init.json().result.serverInfo.name).toBe("flightly");
    const asked = await call(token, "ask", { prompt: "Is there Wi-Fi on board?", session_id: uniq("mcp") });
    expect(asked.statusCode).toBe(200);
    const result = asked.json().result;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.actor_id).toBe("3");
  });

  it("`ask` refuses an actor_id argument instead of ignoring it", async () => {
    const token = bearer(await idp.mint({ sub: "3" }));
    const res = await call(token, "ask", { prompt: "Show me my bookings", actor_id: "1" });
    const result = res.json().result;
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toMatch(/actor_id/);
  });

  it("`recall_memories` answers for the token's subject", async () => {
    const token = bearer(await idp.mint({ sub: "3" }));
    const res = await call(token, "recall_memories", { query: "seat preference" });
    const result = res.json().result;
    expect(result.isError).toBeFalsy();
    expect(Array.isArray(result.structuredContent.memories)).toBe(true);
  });

  it("a body that is not JSON (NaN, a bare word) is a 400, not a 500", async () => {
    const token = bearer(await idp.mint());
    for (const body of ['{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"k":NaN}}', "hello", "{"]) {
      const res = await mcp(token, body, true);
      expect(res.statusCode, body).toBe(400);
    }
  });
});

describe("logs of the whole file", () => {
  it("hold no token, card number or password", async () => {
    await sleep(50);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(secretsIn(logs.text(), sent)).toEqual([]);
  });
});
