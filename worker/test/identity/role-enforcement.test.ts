import { API_ROUTES, type ApiRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import type { AuditDb } from '../../src/api/audit';
import { roleRefusal } from '../../src/api/identity/roles';
import { seedIncident } from '../api/fixtures';
import { NOW, startTestApi, type TestApi } from '../api/support';
import { startFakeGrafana, type FakeGrafana, type IdUser } from './fake-grafana';

/**
 * The contract's role per route (API_ROUTES[].role, which plugin.json's reqRole is checked against in
 * plugin/src/api/contract.test.ts) is enforced by the worker too: a Viewer's or an Editor's signed token cannot do
 * what Grafana's proxy would have refused them.
 */
const RANK = { Viewer: 1, Editor: 2, Admin: 3 } as const;
const ROLES = ['Viewer', 'Editor', 'Admin'] as const;
const user = (role: string | undefined): IdUser => ({
  userId: 8,
  uid: 'u8',
  login: `as.${(role ?? 'none').toLowerCase()}`,
  email: 'u8@example.com',
  name: 'U8',
  role,
});

let grafana: FakeGrafana;
let api: TestApi;
let incidentId: number;
let untouchedId: number;
const proxied = (Object.entries(API_ROUTES) as [ApiRouteName, ApiRoute][]).filter(([, r]) => r.role !== 'public');

beforeAll(async () => {
  grafana = await startFakeGrafana();
  api = await startTestApi({}, { GRAFANA_IDENTITY: 'verify', GRAFANA_URL: grafana.url });
  incidentId = await seedIncident(api.t.db, {
    subject: 'bob@example.com',
    detector: 'personal_spike',
    onset: new Date(NOW.getTime() - 3 * 86_400_000),
  });
  untouchedId = await seedIncident(api.t.db, {
    subject: 'carol@example.com',
    detector: 'personal_spike',
    onset: new Date(NOW.getTime() - 2 * 86_400_000),
  });
}, 60_000);
afterAll(async () => {
  await api.close();
  await grafana.close();
});

const pathOf = (r: ApiRoute) => r.path.replace(':id', String(incidentId)).replace(':email', 'bob%40example.com');
const bodyOf = (r: ApiRoute) => (r.method === 'GET' || r.method === 'DELETE' ? undefined : {});

describe('the contract role of every route, on the worker', () => {
  it.each(proxied)('%s: refused below its role with a 403 that names it, let through at or above', async (name, r) => {
    for (const role of ROLES) {
      const res = await api.call(r.method, pathOf(r), {
        idToken: await grafana.sign(user(role), NOW),
        body: bodyOf(r),
      });
      const need = r.role as keyof typeof RANK;
      if (RANK[role] < RANK[need]) {
        expect([name, role, res.status, res.json]).toEqual([
          name,
          role,
          403,
          {
            error: 'forbidden',
            message: `${r.method} ${r.path} needs the Grafana org role ${need} or higher; as.${role.toLowerCase()} is ${role} (by Grafana's signed ID token)`,
          },
        ]);
      } else {
        expect({ name, role, refused: [401, 403].includes(res.status) }).toEqual({ name, role, refused: false });
      }
    }
  });

  it('a Viewer cannot acknowledge: nothing changes, and the refusal is audited with the verified role', async () => {
    const res = await api.call('POST', `/api/incidents/${untouchedId}/acknowledge`, {
      idToken: await grafana.sign(user('Viewer'), NOW),
      body: { note: 'mine now' },
      login: 'forged.admin', // X-Grafana-Context says Admin: ignored
    });
    expect(res.status).toBe(403);
    const inc = await api.t.db
      .selectFrom('incidents')
      .select(['status', 'acknowledged_by'])
      .where('id', '=', untouchedId)
      .executeTakeFirstOrThrow();
    expect(inc).toEqual({ status: 'open', acknowledged_by: null });
    const row = await (api.t.db as unknown as AuditDb)
      .selectFrom('api_audit')
      .select(['actor', 'actor_role', 'identity_verified', 'status_code'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ actor: 'as.viewer', actor_role: 'Viewer', identity_verified: true, status_code: 403 });
  });

  it('HEAD follows its GET route and its role; a worker route missing from the contract is closed to every role', async () => {
    const viewer = await grafana.sign(user('Viewer'), NOW);
    const head = await fetch(`${api.url}/api/incidents`, {
      method: 'HEAD',
      headers: { authorization: 'Bearer test-token-0123456789abcdef', 'x-grafana-id': viewer },
    });
    expect(head.status).toBe(200);
    const none = await grafana.sign(user(undefined), NOW);
    const refused = await fetch(`${api.url}/api/incidents`, {
      method: 'HEAD',
      headers: { authorization: 'Bearer test-token-0123456789abcdef', 'x-grafana-id': none },
    });
    expect(refused.status).toBe(403);
    expect(roleRefusal('GET', '/api/secrets', { actor: 'ada', role: 'Admin', verified: true })).toBe(
      'GET /api/secrets is not in the API contract, so no role may call it',
    );
    expect(roleRefusal('GET', undefined, { actor: 'ada', role: 'None', verified: true })).toBeNull();
  });

  it('a token without a role claim may call nothing', async () => {
    const res = await api.call('GET', '/api/incidents', { idToken: await grafana.sign(user(undefined), NOW) });
    expect([res.status, res.json.message]).toEqual([
      403,
      "GET /api/incidents needs the Grafana org role Viewer or higher; as.none is None (by Grafana's signed ID token)",
    ]);
  });
});

describe('GRAFANA_IDENTITY=header', () => {
  let header: TestApi;
  beforeAll(async () => {
    header = await startTestApi({}, { GRAFANA_IDENTITY: 'header' }, undefined);
  }, 60_000);
  afterAll(() => header.close());

  it("enforces the header's OrgRole too, and records the actor as unverified", async () => {
    const res = await header.call('PUT', '/api/settings', {
      login: 'ed',
      role: 'Editor',
      body: { minImpactDollars: 5 },
    });
    expect([res.status, res.json.message]).toEqual([
      403,
      'PUT /api/settings needs the Grafana org role Admin or higher; ed is Editor (by X-Grafana-Context, unverified)',
    ]);
    const ok = await header.call('PUT', '/api/settings', {
      login: 'ada',
      role: 'Admin',
      body: { minImpactDollars: 5 },
    });
    expect(ok.status).toBe(200);
    const row = await header.t.db
      .selectFrom('settings_audit')
      .select(['changed_by', 'identity_verified', 'identity_source'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ changed_by: 'ada', identity_verified: false, identity_source: 'x-grafana-context' });
    const audit = await (header.t.db as unknown as AuditDb)
      .selectFrom('api_audit')
      .select(['actor', 'identity_verified', 'identity_source', 'actor_role'])
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(audit).toEqual([
      { actor: 'ada', identity_verified: false, identity_source: 'x-grafana-context', actor_role: 'Admin' },
      { actor: 'ed', identity_verified: false, identity_source: 'x-grafana-context', actor_role: 'Editor' },
    ]);
  });

  it('without any header (a script) the caller is "api", unverified, with no identity', async () => {
    const res = await header.call('POST', '/api/notifications/test', { body: { channel: 'nowhere' } });
    expect(res.status).toBe(400);
    const row = await (header.t.db as unknown as AuditDb)
      .selectFrom('api_audit')
      .select(['actor', 'identity_verified', 'identity_source'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ actor: 'api', identity_verified: false, identity_source: 'none' });
  });
});
