import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { IdentityConfig } from '../../config/config';

/**
 * Grafana's signed ID token, as Grafana 13 forwards it to app plugin proxy routes in X-Grafana-Id.
 *
 * Read in grafana/grafana:
 * - pkg/api/pluginproxy/pluginproxy.go (PluginProxy).director → proxyutil.ApplyForwardIDHeader(req, signedInUser):
 *   sets X-Grafana-Id to the requester's IDToken when it has one. No feature toggle any more: `idForwarding` was
 *   removed in PR #92209 (Grafana 11.3) and the signer (pkg/services/auth/idimpl/signer.go LocalSigner.SignIDToken)
 *   no longer checks it.
 * - pkg/services/auth/idimpl/service.go (Service).SignIdentity: iss = cfg.AppURL (root_url, ending in '/'),
 *   aud = "org:<orgId>" (getAudience), sub = id.GetID() ("user:<id>"), exp = iat + 10 min (tokenTTL; cached and
 *   reused until 30 s before exp), no nbf; rest claims (grafana/authlib authn IDTokenClaims): identifier, type,
 *   namespace, and for users email, email_verified, authenticatedBy, username (the login), name; role = the org role
 *   when it is valid.
 * - idimpl/signer.go getSigner: ES256, header kid (signingkeysimpl keyMonthScopedID "id-YYYY-MM-es256", a new key
 *   every month) and typ "jwt".
 * - pkg/services/signingkeys/signingkeysimpl/service.go exposeJWKS: GET /api/signing-keys/keys, no sign-in needed,
 *   Cache-Control: public, max-age=3600.
 */
export interface GrafanaIdClaims {
  /** "user:5", "service-account:3", … */
  subject: string;
  /** The login (claim `username`); empty for identities that are not users. */
  username: string;
  email: string;
  /** Claim `type`: user, service-account, anonymous, … */
  type: string;
  identifier: string;
  /** The org role (claim `role`), or null when the token carries none. */
  role: string | null;
  orgAudience: string;
}

/** A token that does not prove who sent the request: answered 401 with the reason. */
export class IdTokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'IdTokenRejected';
  }
}

/** Grafana's keys cannot be fetched: no identity can be checked (503, not the caller's fault). */
export class SigningKeysUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SigningKeysUnavailable';
  }
}

export interface VerifierOptions {
  /** Seconds of clock difference allowed on exp (and nbf, iat) between Grafana and the worker. */
  clockToleranceSec?: number;
  /** After a fetch, no new fetch for this long even for an unknown kid (jose cooldownDuration). */
  refetchCooldownMs?: number;
  /** Keys kept this long before being fetched again (jose cacheMaxAge); Grafana says max-age=3600. */
  cacheMaxAgeMs?: number;
  fetchTimeoutMs?: number;
}

export type GrafanaIdVerifier = (token: string, now: Date) => Promise<GrafanaIdClaims>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

function reasonOf(err: unknown, cfg: IdentityConfig): Error {
  if (err instanceof errors.JWTExpired) return new IdTokenRejected('the Grafana ID token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss')
      return new IdTokenRejected(`the Grafana ID token was issued by another Grafana (iss must be ${cfg.issuer})`);
    if (err.claim === 'aud')
      return new IdTokenRejected(`the Grafana ID token is for another org (aud must be ${cfg.audience})`);
    if (err.claim === 'nbf' || err.claim === 'iat')
      return new IdTokenRejected(`the Grafana ID token is not valid yet (${err.claim})`);
    return new IdTokenRejected(`the Grafana ID token's ${err.claim} claim is wrong: ${err.reason}`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new IdTokenRejected('the Grafana ID token is not signed with ES256, the only algorithm Grafana uses');
  if (err instanceof errors.JWKSNoMatchingKey)
    return new IdTokenRejected(
      `the Grafana ID token's key (kid) is not among Grafana's signing keys at ${cfg.jwksUrl}`,
    );
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new IdTokenRejected("the Grafana ID token's signature does not verify");
  if (err instanceof SigningKeysUnavailable) return err;
  if (err instanceof errors.JOSEError) return new IdTokenRejected(`the Grafana ID token is malformed (${err.message})`);
  return new IdTokenRejected('the Grafana ID token is malformed');
}

/** Why the key set could not be had: jose's fetcher throws JOSEError for a non-200, plain errors for the network. */
function keysUnavailable(err: unknown, cfg: IdentityConfig): SigningKeysUnavailable {
  const why = err instanceof errors.JWKSTimeout ? 'timed out' : err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return new SigningKeysUnavailable(`Grafana's signing keys at ${cfg.jwksUrl} could not be read (${why}${cause})`);
}

/**
 * Verifies X-Grafana-Id against Grafana's published keys: ES256 only (no HS256, no "none"), typ "jwt" (an access
 * token is "at+jwt", authlib verifier.go validType), iss, aud, exp with a small skew, a kid Grafana publishes. Keys
 * are cached; an unknown kid (Grafana's monthly new key) fetches the set again, at most once per cooldown.
 */
export function createGrafanaIdVerifier(cfg: IdentityConfig, opts: VerifierOptions = {}): GrafanaIdVerifier {
  const jwks = createRemoteJWKSet(new URL(cfg.jwksUrl), {
    cooldownDuration: opts.refetchCooldownMs ?? 30_000,
    cacheMaxAge: opts.cacheMaxAgeMs ?? 3_600_000,
    timeoutDuration: opts.fetchTimeoutMs ?? 5_000,
  });
  // Only a kid missing from a set that was read is the token's fault; any failure to read the set is not.
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) throw err;
      throw keysUnavailable(err, cfg);
    }
  };
  return async (token, now) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['ES256'],
        typ: 'jwt',
        issuer: cfg.issuer,
        audience: cfg.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: opts.clockToleranceSec ?? 30,
        currentDate: now,
      }));
    } catch (err) {
      throw reasonOf(err, cfg);
    }
    return {
      subject: text(payload.sub),
      username: text(payload.username),
      email: text(payload.email),
      type: text(payload.type),
      identifier: text(payload.identifier),
      role: text(payload.role) || null,
      orgAudience: cfg.audience,
    };
  };
}
