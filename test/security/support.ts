/**
 * Shared pieces of the security suites: a local OIDC-ish identity provider (discovery document
 * and JWKS on port 0, key rotation, failure modes), token minting and hand-crafted forgeries, a
 * logger that captures every line, and the secrets no log line or error body may contain.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type CallToolResult, CallToolResultSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { createLogger, type Logger } from "../../core/logger.js";

// ---------------------------------------------------------------------------------------------
// Identity provider
// ---------------------------------------------------------------------------------------------

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(kid: string, alg: "RS256" | "ES256" = "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, privateKey, publicKey, jwk };
}

/**
 * How the provider answers: `up`; `refuse` (the connection is dropped, as a provider that is
 * down); `discovery-500`; `discovery-garbage` (200 with a body that is not a discovery document);
 * `jwks-500` (discovery works, the key set does not).
 */
export type IdpMode = "up" | "refuse" | "discovery-500" | "discovery-garbage" | "jwks-500";

export interface TestIdp {
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly port: number;
  mode: IdpMode;
  /** Epoch ms of every JWKS request answered. */
  readonly jwksFetches: number[];
  /** The key in the JWKS that `mint` signs with. */
  current: SigningKey;
  /** Every token minted, so tests can assert none of them leaks. */
  readonly minted: string[];
  /** Signs claims (defaults: issuer, audience, client, subject "2", ten minutes). */
  mint(claims?: JWTPayload, options?: { key?: SigningKey; omit?: string[]; alg?: string }): Promise<string>;
  /** Publishes a new key and drops the current one from the JWKS; returns the retired key. */
  rotate(): Promise<SigningKey>;
  close(): Promise<void>;
}

export const AUDIENCE = "flightly-api";
export const CLIENT = "flightly-web";

export async function startIdp(options: { port?: number; mode?: IdpMode } = {}): Promise<TestIdp> {
  let keys: SigningKey[] = [await signingKey("key-1")];
  let generation = 1;
  const jwksFetches: number[] = [];
  const minted: string[] = [];
  let base = "";

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (idp.mode === "refuse") {
      req.socket.destroy();
      return;
    }
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (req.url === "/.well-known/openid-configuration") {
      if (idp.mode === "discovery-500") json(500, { error: "boom" });
      else if (idp.mode === "discovery-garbage") json(200, "<html>maintenance</html>");
      else {
        json(200, {
          issuer: base,
          jwks_uri: `${base}/jwks.json`,
          id_token_signing_alg_values_supported: ["RS256"],
        });
      }
      return;
    }
    if (req.url === "/jwks.json") {
      if (idp.mode === "jwks-500") {
        json(500, { error: "boom" });
        return;
      }
      jwksFetches.push(Date.now());
      json(200, { keys: keys.map((k) => k.jwk) });
      return;
    }
    json(404, { error: "not found" });
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  const idp: TestIdp = {
    issuer: base,
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    port,
    mode: options.mode ?? "up",
    jwksFetches,
    current: keys[0]!,
    minted,
    async mint(claims = {}, o = {}) {
      const key = o.key ?? idp.current;
      const now = Math.floor(Date.now() / 1000);
      const all: JWTPayload = {
        iss: base,
        aud: AUDIENCE,
        client_id: CLIENT,
        sub: "2",
        iat: now,
        exp: now + 600,
        ...claims,
      };
      for (const name of o.omit ?? []) delete all[name];
      const token = await new SignJWT(all)
        .setProtectedHeader({ alg: o.alg ?? (key.jwk.alg as string), kid: key.kid, typ: "JWT" })
        .sign(key.privateKey);
      minted.push(token);
      return token;
    },
    async rotate() {
      const retired = idp.current;
      generation += 1;
      const next = await signingKey(`key-${generation}`);
      keys = [next];
      idp.current = next;
      return retired;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return idp;
}

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** Claims a well-behaved provider would put in a token for `sub`. */
export function claimsFor(idp: TestIdp, sub = "2"): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: AUDIENCE, client_id: CLIENT, sub, iat: now, exp: now + 600 };
}

/** `alg: none`, built by hand (no library signs it): header.payload. with an empty signature. */
export function unsignedToken(claims: JWTPayload, alg = "none"): string {
  return `${b64({ alg, typ: "JWT" })}.${b64(claims)}.`;
}

/**
 * The classic algorithm-confusion forgery: HS256 whose HMAC secret is the provider's RSA public
 * key (as PEM, as anyone can fetch it from the JWKS), with the real key's `kid`.
 */
export async function hmacWithPublicKey(key: SigningKey, claims: JWTPayload): Promise<string> {
  const pem = await exportSPKI(key.publicKey);
  const input = `${b64({ alg: "HS256", typ: "JWT", kid: key.kid })}.${b64(claims)}`;
  const sig = createHmac("sha256", pem).update(input).digest("base64url");
  return `${input}.${sig}`;
}

// ---------------------------------------------------------------------------------------------
// Logs and secrets
// ---------------------------------------------------------------------------------------------

export interface CapturedLogs {
  logger: Logger;
  lines: string[];
  text(): string;
}

/** A real Flightly logger (redaction included) whose lines are kept in memory. */
export function captureLogs(level = "debug"): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, text: () => lines.join("") };
}

/** Card numbers the suites type into prompts, tool inputs and support messages. */
export const CARDS = ["4242424242424242", "4000000000000002", "5555555555554444", "4000000000009995"];
/** Passwords that appear in connection strings on error paths. */
export const PASSWORDS = ["S3cretPgPassw0rd", "S3cretValkeyPassw0rd", "S3cretReaderPassw0rd"];

/**
 * Every secret found in `text`: the known cards in any spacing, the known passwords, any of the
 * given tokens (or their signatures), and anything that still looks like a JWT or a 16-digit card.
 */
export function secretsIn(text: string, tokens: readonly string[] = []): string[] {
  const found: string[] = [];
  const digitsOnly = text.replace(/[ -](?=\d)/g, "");
  for (const card of CARDS) if (digitsOnly.includes(card)) found.push(`card ${card}`);
  for (const pw of PASSWORDS) if (text.includes(pw)) found.push(`password ${pw}`);
  for (const value of tokens) {
    const token = value.replace(/^\s*(?:bearer|basic|token)\s+/i, "").trim();
    if (token.length < 16) continue;
    const signature = token.split(".")[2] ?? "";
    if (text.includes(token)) found.push(`token ${token.slice(0, 24)}…`);
    else if (signature.length >= 16 && text.includes(signature))
      found.push(`token signature ${signature.slice(0, 16)}…`);
  }
  const jwt = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/.exec(text);
  if (jwt) found.push(`jwt-like ${jwt[0].slice(0, 24)}…`);
  return found;
}

/** A stack frame as Node prints it: never in an answer. */
export const STACK_FRAME = /\bat [\w.<>\s]*\(?(?:file:\/\/)?\/[^\s)]+\.(?:ts|js|mjs|cjs):\d+/;

// ---------------------------------------------------------------------------------------------
// MCP
// ---------------------------------------------------------------------------------------------

/** An SDK client wired to `server` over a linked in-memory transport pair. */
export async function connectInMemory(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "flightly-security-test", version: "0.0.0" });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

export interface ToolOutcome {
  /** `tool`: a result with isError; `rpc`: a JSON-RPC error; `ok`: a result without isError. */
  kind: "ok" | "tool" | "rpc";
  text: string;
  code?: number;
  result?: CallToolResult;
}

/** Calls a tool and reports how it ended, JSON-RPC errors included, without throwing. */
export async function outcome(client: Client, name: string, args: unknown): Promise<ToolOutcome> {
  try {
    const result = (await client.request(
      { method: "tools/call", params: { name, arguments: args as Record<string, unknown> } },
      CallToolResultSchema,
      { timeout: 60_000 },
    )) as CallToolResult;
    const first = result.content?.[0];
    const text = first?.type === "text" ? first.text : JSON.stringify(result.content ?? []);
    return { kind: result.isError ? "tool" : "ok", text, result };
  } catch (err) {
    if (err instanceof McpError) return { kind: "rpc", text: err.message, code: err.code };
    throw err;
  }
}
