import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * The two parts of Grafana that ID forwarding needs, on a real HTTP server on 127.0.0.1:
 * - GET /api/signing-keys/keys, as pkg/services/signingkeys/signingkeysimpl/service.go exposeJWKS answers it
 *   ({"keys":[{use:"sig",kty:"EC",kid,crv:"P-256",alg:"ES256",x,y}]}, Cache-Control: public, max-age=3600);
 * - tokens shaped as pkg/services/auth/idimpl/service.go SignIdentity and signer.go LocalSigner sign them.
 * Keys can be added and dropped (Grafana makes a new "id-YYYY-MM-es256" key each month), and the server stopped.
 */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), use: 'sig', kid, alg: 'ES256' } };
}

export interface IdUser {
  userId: number;
  uid: string;
  login: string;
  email: string;
  name: string;
  /** Omitted from the token when undefined (SignIdentity sets it only when GetOrgRole().IsValid()). */
  role?: string;
  orgId?: number;
}

export interface FakeGrafana {
  /** GF_SERVER_ROOT_URL without the trailing slash, as GRAFANA_URL is written. */
  url: string;
  keys: SigningKey[];
  fetches: number;
  /** A token for `user` signed by `key` (default: the newest key), issued at `iat`; `patch` changes claims/header. */
  sign(
    user: IdUser,
    iat: Date,
    patch?: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: SigningKey },
  ): Promise<string>;
  close(): Promise<void>;
}

const TOKEN_TTL_S = 600; // idimpl tokenTTL = 10 * time.Minute

export async function startFakeGrafana(): Promise<FakeGrafana> {
  const state = { keys: [await newSigningKey('id-2026-11-es256')], fetches: 0 };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/signing-keys/keys') {
      state.fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
      res.end(JSON.stringify({ keys: state.keys.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get keys() {
      return state.keys;
    },
    set keys(k: SigningKey[]) {
      state.keys = k;
    },
    get fetches() {
      return state.fetches;
    },
    set fetches(n: number) {
      state.fetches = n;
    },
    async sign(user, iat, patch = {}) {
      const key = patch.key ?? state.keys[state.keys.length - 1];
      const issued = Math.floor(iat.getTime() / 1000);
      const orgId = user.orgId ?? 1;
      // SignIdentity: jwt.Claims{Issuer: cfg.AppURL, Audience: getAudience(orgID), Subject: id.GetID(), Expiry,
      // IssuedAt} + authlib IDTokenClaims{Namespace, Identifier, Type, Email, EmailVerified (omitempty),
      // AuthenticatedBy, Username, DisplayName ("name"), Role}. go-jose writes a one-element audience as a string.
      const claims: Record<string, unknown> = {
        iss: `${url}/`,
        aud: `org:${orgId}`,
        sub: `user:${user.userId}`,
        exp: issued + TOKEN_TTL_S,
        iat: issued,
        namespace: orgId === 1 ? 'default' : `org-${orgId}`,
        identifier: user.uid,
        type: 'user',
        email: user.email,
        authenticatedBy: 'password',
        username: user.login,
        name: user.name,
        ...(user.role === undefined ? {} : { role: user.role }),
        ...patch.claims,
      };
      for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
      // signer.go getSigner: ES256 with ExtraHeaders kid and typ "jwt".
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'jwt', ...patch.header })
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
