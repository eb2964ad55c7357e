/**
 * Inbound JWT (AgentCore's custom authorizer semantics): the discovery document names the
 * issuer and the JWKS; tokens must verify against it (asymmetric algorithms only), be current,
 * and match the allowed clients / audience. The actor is the token's subject — never the body.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { FlightlyError } from "../../core/errors.js";

export interface AuthOptions {
  discoveryUrl: string;
  allowedClients: readonly string[];
  allowedAudience: readonly string[];
  /** Seconds of clock skew tolerated. */
  clockToleranceS?: number;
}

export interface Authenticated {
  actorId: string;
  claims: JWTPayload;
}

/**
 * Longest accepted token. Real IdP tokens are 1-2 KB and Node refuses headers over 16 KB anyway;
 * anything bigger is refused before it is decoded or hashed.
 */
const MAX_TOKEN_CHARS = 8_192;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the subject becomes an actor id, which must not carry them
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The subject becomes the actor id (`customers.id` as text), which the stores cap at 256 characters. */
const validSubject = (sub: unknown): sub is string =>
  typeof sub === "string" && sub.length >= 1 && sub.length <= 256 && !CONTROL.test(sub);

/**
 * Faults of the identity provider rather than of the token: the JWKS could not be fetched (network
 * error, timeout, non-200, not JSON) or is not a key set. Those are 503s a client retries, not 401s.
 */
const idpFault = (err: unknown): boolean =>
  !(err instanceof errors.JOSEError) ||
  err.code === "ERR_JOSE_GENERIC" ||
  err instanceof errors.JWKSTimeout ||
  err instanceof errors.JWKSInvalid;

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const discoverySchema = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });

export type Authenticator = (authorization: string | undefined) => Promise<Authenticated>;

export function createAuthenticator(options: AuthOptions): Authenticator {
  let discovered: Promise<{ issuer: string; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  const discover = (): Promise<{ issuer: string; jwks: ReturnType<typeof createRemoteJWKSet> }> => {
    discovered ??= (async () => {
      const res = await fetch(options.discoveryUrl, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`discovery document answered ${res.status}`);
      const doc = discoverySchema.parse(await res.json());
      return {
        issuer: doc.issuer,
        jwks: createRemoteJWKSet(new URL(doc.jwks_uri), { cooldownDuration: 5_000 }),
      };
    })().catch((err) => {
      discovered = undefined;
      throw new FlightlyError("UNAVAILABLE", "the identity provider could not be reached", {
        cause: err,
        retryAfterS: 5,
      });
    });
    return discovered;
  };

  return async (authorization) => {
    if (authorization !== undefined && authorization.length > MAX_TOKEN_CHARS + 16) {
      throw new FlightlyError("UNAUTHORIZED", "the bearer token is too large");
    }
    const match = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(authorization?.trim() ?? "");
    if (!match) throw new FlightlyError("UNAUTHORIZED", "a bearer token is required");
    const { issuer, jwks } = await discover();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, jwks, {
        issuer,
        algorithms: ALGORITHMS,
        clockTolerance: options.clockToleranceS ?? 30,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (err) {
      if (idpFault(err)) {
        throw new FlightlyError("UNAVAILABLE", "the identity provider's signing keys could not be fetched", {
          cause: err,
          retryAfterS: 5,
        });
      }
      throw new FlightlyError("UNAUTHORIZED", "the bearer token is not valid", { cause: err });
    }
    if (!validSubject(payload.sub)) {
      throw new FlightlyError("UNAUTHORIZED", "the bearer token's subject is not a valid actor id");
    }
    if (options.allowedAudience.length > 0) {
      const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
      if (!aud.some((a) => options.allowedAudience.includes(a))) {
        throw new FlightlyError("FORBIDDEN", "the token's audience is not allowed");
      }
    }
    if (options.allowedClients.length > 0) {
      const client = (payload.client_id ?? payload.azp) as string | undefined;
      if (!client || !options.allowedClients.includes(client)) {
        throw new FlightlyError("FORBIDDEN", "the token's client is not allowed");
      }
    }
    return { actorId: payload.sub, claims: payload };
  };
}
