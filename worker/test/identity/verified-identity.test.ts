import { SignJWT } from 'jose';
import type { AuditDb } from '../../src/api/audit';
import { loadConfig, ConfigError } from '../../src/config/config';
import { seedIncident } from '../api/fixtures';
import { NOW, startTestApi, type TestApi } from '../api/support';
import { newSigningKey, startFakeGrafana, type FakeGrafana, type IdUser } from './fake-grafana';

/**
 * GRAFANA_IDENTITY=verify against a real JWKS server on 127.0.0.1 that signs tokens shaped as Grafana's idimpl does:
 * who is recorded comes from the signed token, never from X-Grafana-Context.
 */
const ALICE: IdUser = {
  userId: 5,
  uid: 'aliceuid',
  login: 'alice',
  email: 'alice@example.com',
  name: 'Alice',
  role: 'Editor',
};
const ADA: IdUser = {
  userId: 6,
  uid: 'adauid',
  login: 'admin.ada',
  email: 'ada@example.com',
  name: 'Ada',
  role: 'Admin',
};
const FORGED = JSON.stringify({ UserID: 99, Login: 'mallory', OrgRole: 'Admin' });

let grafana: FakeGrafana;
let api: TestApi;
let incidentId: number;

beforeAll(async () => {
  grafana = await startFakeGrafana();
  // Cooldown 0 so the rotation test may refetch at once; Grafana's own tokens are cached for ~10 minutes.
  api = await startTestApi(
    { idVerifierOptions: { refetchCooldownMs: 0 } },
    { GRAFANA_IDENTITY: 'verify', GRAFANA_URL: grafana.url },
  );
  incidentId = await seedIncident(api.t.db, {
    subject: 'bob@example.com',
    detector: 'personal_spike',
    onset: new Date(NOW.getTime() - 3 * 86_400_000),
  });
}, 60_000);
afterAll(async () => {
  await api.close();
  await grafana.close();
});

const audit = () => api.t.db as unknown as AuditDb;
const lastAudit = () =>
  audit()
    .selectFrom('api_audit')
    .select(['actor', 'identity_verified', 'identity_source', 'actor_role', 'status_code', 'route'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();

/** A request as Grafana's proxy sends it, with a forged X-Grafana-Context next to the token. */
async function asGrafana(method: string, path: string, idToken: string | null, body?: unknown) {
  const headers: Record<string, string> = {
    authorization: 'Bearer test-token-0123456789abcdef',
    'x-grafana-context': FORGED,
  };
  if (idToken !== null) headers['x-grafana-id'] = idToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { error?: string; message?: string } };
}

describe('a forged X-Grafana-Context cannot change the recorded actor', () => {
  it('resolved_by, incident_events and api_audit name the token user', async () => {
    const token = await grafana.sign(ALICE, NOW);
    const res = await asGrafana('POST', `/api/incidents/${incidentId}/resolve`, token, {
      reason: 'false_positive',
      note: 'not a real spike',
    });
    expect(res.status).toBe(200);
    const inc = await api.t.db
      .selectFrom('incidents')
      .select(['resolved_by', 'resolution_reason'])
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(inc).toEqual({ resolved_by: 'alice', resolution_reason: 'false_positive' });
    const events = await api.t.db
      .selectFrom('incident_events')
      .select('actor')
      .where('incident_id', '=', incidentId)
      .where('actor', 'in', ['alice', 'mallory'])
      .execute();
    expect(events.map((e) => e.actor)).toEqual(['alice']);
    expect(await lastAudit()).toEqual({
      actor: 'alice',
      identity_verified: true,
      identity_source: 'grafana-id-token',
      actor_role: 'Editor',
      status_code: 200,
      route: '/api/incidents/:id/resolve',
    });
  });

  it('settings_audit.changed_by is the token user, marked verified', async () => {
    const res = await asGrafana('PUT', '/api/settings', await grafana.sign(ADA, NOW), { minImpactDollars: 35 });
    expect(res.status).toBe(200);
    const row = await api.t.db
      .selectFrom('settings_audit')
      .select(['key', 'changed_by', 'identity_verified', 'identity_source'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      key: 'minImpactDollars',
      changed_by: 'admin.ada',
      identity_verified: true,
      identity_source: 'grafana-id-token',
    });
  });

  it('a snooze is created by the token user', async () => {
    const res = await asGrafana('POST', '/api/snoozes', await grafana.sign(ALICE, NOW), {
      scope: 'user',
      subject: 'bob@example.com',
      until: '2026-11-27T00:00:00.000Z',
      reason: 'offsite',
    });
    expect(res.status).toBe(201);
    const row = await api.t.db
      .selectFrom('snoozes')
      .select('created_by')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.created_by).toBe('alice');
  });

  it('a service account (a script through the plugin proxy) is recorded as service-account:<uid>', async () => {
    const other = await seedIncident(api.t.db, {
      subject: 'carol@example.com',
      detector: 'personal_spike',
      onset: new Date(NOW.getTime() - 2 * 86_400_000),
    });
    // SignIdentity sets email/username/name for users only; type, identifier and role for every identity.
    const token = await grafana.sign(ALICE, NOW, {
      claims: {
        sub: 'service-account:3',
        type: 'service-account',
        identifier: 'sa-nightly',
        username: undefined,
        email: undefined,
        name: undefined,
        authenticatedBy: undefined,
      },
    });
    expect((await asGrafana('POST', `/api/incidents/${other}/acknowledge`, token, {})).status).toBe(200);
    const inc = await api.t.db
      .selectFrom('incidents')
      .select('acknowledged_by')
      .where('id', '=', other)
      .executeTakeFirstOrThrow();
    expect(inc.acknowledged_by).toBe('service-account:sa-nightly');
  });

  it('the forged header alone, without a token, is refused and changes nothing', async () => {
    const before = await api.t.db.selectFrom('snoozes').select('id').execute();
    const res = await asGrafana('POST', '/api/snoozes', null, {
      scope: 'user',
      subject: 'bob@example.com',
      until: '2026-11-27T00:00:00.000Z',
      reason: 'x',
    });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('unverified_identity');
    expect(res.json.message).toMatch(/No Grafana ID token \(X-Grafana-Id\).*plugin proxy/);
    expect(await api.t.db.selectFrom('snoozes').select('id').execute()).toEqual(before);
  });
});

describe('tokens that do not prove who sent the request are 401 with the reason', () => {
  const get = (token: string) => asGrafana('GET', '/api/incidents', token);

  it('a valid token is accepted, and exp within 30 s of skew still is', async () => {
    expect((await get(await grafana.sign(ALICE, NOW))).status).toBe(200);
    // Issued 10 min 20 s ago: expired 20 s ago, inside the tolerance.
    expect((await get(await grafana.sign(ALICE, new Date(NOW.getTime() - 620_000)))).status).toBe(200);
  });

  it('expired', async () => {
    const res = await get(await grafana.sign(ALICE, new Date(NOW.getTime() - 11 * 60_000)));
    expect([res.status, res.json.message]).toEqual([401, 'X-Grafana-Id refused: the Grafana ID token has expired']);
  });

  it('for another org (aud)', async () => {
    const res = await get(await grafana.sign({ ...ALICE, orgId: 2 }, NOW));
    expect([res.status, res.json.message]).toEqual([
      401,
      'X-Grafana-Id refused: the Grafana ID token is for another org (aud must be org:1)',
    ]);
  });

  it('from another Grafana (iss)', async () => {
    const res = await get(await grafana.sign(ALICE, NOW, { claims: { iss: 'https://grafana.evil.example/' } }));
    expect(res.status).toBe(401);
    expect(res.json.message).toBe(
      `X-Grafana-Id refused: the Grafana ID token was issued by another Grafana (iss must be ${grafana.url}/)`,
    );
  });

  it('HS256 (even keyed with the public key) and alg none', async () => {
    const kid = grafana.keys[0].kid;
    const hs = await new SignJWT({ iss: `${grafana.url}/`, aud: 'org:1', sub: 'user:99', username: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid, typ: 'jwt' })
      .setIssuedAt(Math.floor(NOW.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 600)
      .sign(new TextEncoder().encode(JSON.stringify(grafana.keys[0].publicJwk)));
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'jwt', kid })}.${b64({
      iss: `${grafana.url}/`,
      aud: 'org:1',
      sub: 'user:99',
      username: 'mallory',
      exp: Math.floor(NOW.getTime() / 1000) + 600,
    })}.`;
    for (const token of [hs, none]) {
      const res = await get(token);
      expect([res.status, res.json.message]).toEqual([
        401,
        'X-Grafana-Id refused: the Grafana ID token is not signed with ES256, the only algorithm Grafana uses',
      ]);
    }
  });

  it('signed by a key Grafana does not publish (unknown kid), or with a payload changed after signing', async () => {
    const stranger = await newSigningKey('id-2026-11-es256-stranger');
    const res = await get(await grafana.sign(ALICE, NOW, { key: stranger }));
    expect([res.status, res.json.message]).toEqual([
      401,
      `X-Grafana-Id refused: the Grafana ID token's key (kid) is not among Grafana's signing keys at ${grafana.url}/api/signing-keys/keys`,
    ]);
    // Same kid as a published key, but its own private key: the signature does not verify.
    const impostor = { ...stranger, kid: grafana.keys[0].kid };
    const forged = await get(await grafana.sign(ALICE, NOW, { key: impostor }));
    expect([forged.status, forged.json.message]).toEqual([
      401,
      "X-Grafana-Id refused: the Grafana ID token's signature does not verify",
    ]);
    const [h, p, s] = (await grafana.sign(ALICE, NOW)).split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...payload, username: 'mallory' })).toString('base64url');
    expect((await get(`${h}.${edited}.${s}`)).status).toBe(401);
  });

  it('an access token (typ at+jwt) and garbage', async () => {
    expect((await get(await grafana.sign(ALICE, NOW, { header: { typ: 'at+jwt' } }))).status).toBe(401);
    const res = await get('not-a-jwt');
    expect(res.status).toBe(401);
    expect(res.json.message).toMatch(/^X-Grafana-Id refused: the Grafana ID token is malformed/);
  });

  it('refusals are not recorded as changes and change nothing', async () => {
    const before = await audit().selectFrom('api_audit').select('id').execute();
    const res = await asGrafana('POST', `/api/incidents/${incidentId}/reopen`, 'not-a-jwt', {});
    expect(res.status).toBe(401);
    expect(await audit().selectFrom('api_audit').select('id').execute()).toEqual(before);
  });
});

describe("Grafana's signing keys", () => {
  it('are cached, and a new key (Grafana rotates monthly) is fetched when a token names it', async () => {
    await get(await grafana.sign(ALICE, NOW));
    const fetched = grafana.fetches;
    for (let i = 0; i < 3; i++) expect((await get(await grafana.sign(ALICE, NOW))).status).toBe(200);
    expect(grafana.fetches).toBe(fetched);

    const december = await newSigningKey('id-2026-12-es256');
    grafana.keys = [...grafana.keys, december];
    expect((await get(await grafana.sign(ALICE, NOW, { key: december }))).status).toBe(200);
    expect(grafana.fetches).toBe(fetched + 1);

    // The old key dropped from the set: a token it signed is refused once the set is read again.
    const november = grafana.keys[0];
    grafana.keys = [december];
    const stranger = await newSigningKey('id-2027-01-es256');
    await get(await grafana.sign(ALICE, NOW, { key: stranger })); // an unknown kid makes the worker read the set again
    expect((await get(await grafana.sign(ALICE, NOW, { key: november }))).status).toBe(401);
    grafana.keys = [november, december];
  });

  it('unreachable: 503 that says why, not a 401 blaming the caller', async () => {
    const down = await startTestApi(
      {},
      {
        GRAFANA_IDENTITY: 'verify',
        GRAFANA_URL: grafana.url,
        GRAFANA_JWKS_URL: 'http://127.0.0.1:9/api/signing-keys/keys',
      },
    );
    try {
      const res = await down.call('GET', '/api/incidents', { idToken: await grafana.sign(ALICE, NOW) });
      expect(res.status).toBe(503);
      expect(res.json.error).toBe('identity_unavailable');
      expect(res.json.message).toMatch(
        /^Cannot verify who sent this request: Grafana's signing keys at http:\/\/127\.0\.0\.1:9\/api\/signing-keys\/keys could not be read/,
      );
    } finally {
      await down.close();
    }
  });

  async function get(token: string) {
    return asGrafana('GET', '/api/incidents', token);
  }
});

describe('GRAFANA_IDENTITY', () => {
  it('defaults to verify with WORKER_API_TOKEN and to header without; Grafana 13 names the rest', () => {
    expect(loadConfig({ WORKER_API_TOKEN: 'x'.repeat(16) }).identity).toEqual({
      mode: 'verify',
      jwksUrl: 'http://localhost:3000/api/signing-keys/keys',
      issuer: 'http://localhost:3000/',
      audience: 'org:1',
    });
    expect(loadConfig({}).identity.mode).toBe('header');
    expect(loadConfig({ WORKER_API_TOKEN: 'x'.repeat(16), GRAFANA_IDENTITY: 'header' }).identity.mode).toBe('header');
    const sub = loadConfig({
      GRAFANA_URL: 'https://example.com/grafana',
      GRAFANA_JWKS_URL: 'http://grafana:3000/api/signing-keys/keys',
      GRAFANA_ORG_ID: '3',
    }).identity;
    expect(sub).toMatchObject({
      jwksUrl: 'http://grafana:3000/api/signing-keys/keys',
      issuer: 'https://example.com/grafana/',
      audience: 'org:3',
    });
  });

  it('a wrong value stops the worker naming it', () => {
    expect(() => loadConfig({ GRAFANA_IDENTITY: 'trust-me' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRAFANA_IDENTITY: 'trust-me' })).toThrow(
      /GRAFANA_IDENTITY must be "verify" or "header" \(got "trust-me"\)/,
    );
  });
});
