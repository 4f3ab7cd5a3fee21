import { sql } from 'kysely';
import type { AuditDb } from '../../src/api/audit';
import { seedIncident, seedTeam } from './fixtures';
import { NOW, startTestApi, TOKEN, type TestApi } from './support';

let api: TestApi;
let incidentId: number;
beforeAll(async () => {
  api = await startTestApi();
  await seedTeam(api.t.db, NOW);
  incidentId = await seedIncident(api.t.db, { subject: 'alice@example.com', detector: 'personal_spike', onset: NOW });
});
afterAll(() => api.close());

const NUL = 'a\u0000b';
const LONE = 'x\ud800';
const auditDb = () => api.t.db as unknown as AuditDb;
const auditRows = () => auditDb().selectFrom('api_audit').selectAll().orderBy('id').execute();

/** Sends the raw JSON text so a lone surrogate reaches the server as the escape `\ud800`. */
async function rawCall(method: string, path: string, jsonText: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: jsonText,
  });
  return { status: res.status, json: (await res.json()) as { error: string; issues?: { path: string }[] } };
}

describe('text PostgreSQL cannot store is a 400 naming the field', () => {
  it.each([
    ['/api/users?search=a%00b', 'query.search'],
    ['/api/incidents?user=a%00b', 'query.user'],
    ['/api/incidents?team=a%00b', 'query.team'],
    ['/api/users/a%00b%40example.com', 'params.email'],
  ])('GET %s', async (path, field) => {
    const res = await api.call('GET', path);
    expect([res.status, res.json.issues?.map((i: { path: string }) => i.path)]).toEqual([400, [field]]);
    expect(res.json.message).toMatch(/U\+0000/);
  });

  it.each([
    [
      'snooze subject',
      'POST',
      '/api/snoozes',
      { scope: 'user', subject: NUL, until: '2026-12-01T00:00:00Z', reason: 'r' },
      'body.subject',
    ],
    [
      'snooze reason (lone surrogate)',
      'POST',
      '/api/snoozes',
      { scope: 'team', subject: 'team', until: '2026-12-01T00:00:00Z', reason: LONE },
      'body.reason',
    ],
    ['acknowledge note', 'POST', '/api/incidents/{id}/acknowledge', { note: NUL }, 'body.note'],
    [
      'resolve note (lone surrogate)',
      'POST',
      '/api/incidents/{id}/resolve',
      { reason: 'fixed', note: LONE },
      'body.note',
    ],
    ['a setting key', 'PUT', '/api/settings', { [NUL]: 1 }, 'body'],
  ])('%s', async (_what, method, path, body, field) => {
    const before = (await auditRows()).length;
    const res = await rawCall(method, path.replace('{id}', String(incidentId)), JSON.stringify(body));
    expect([res.status, res.json.issues?.map((i) => i.path)]).toEqual([400, [field]]);
    // The refused attempt is audited too, with the bad text replaced so the row can be stored.
    const rows = await auditRows();
    expect(rows.length).toBe(before + 1);
    expect(JSON.stringify(rows.at(-1)!.request)).toContain('\ufffd');
    const incident = await api.t.db
      .selectFrom('incidents')
      .select('status')
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(incident.status).toBe('open');
    expect(await api.t.db.selectFrom('snoozes').selectAll().execute()).toEqual([]);
  });

  it('the X-Grafana-Context login', async () => {
    const res = await rawCall('POST', `/api/incidents/${incidentId}/acknowledge`, '{}', {
      'x-grafana-context': JSON.stringify({ Login: NUL }),
    });
    expect([res.status, res.json.issues?.map((i) => i.path)]).toEqual([400, ['header.x-grafana-context']]);
  });
});

describe('the audit row', () => {
  it('deeply nested JSON is refused with a 400 and its attempt still audited', async () => {
    const before = (await auditRows()).length;
    const deep = '{"minImpactDollars":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}';
    const res = await rawCall('PUT', '/api/settings', deep);
    expect([res.status, res.json.issues]).toEqual([
      400,
      [{ path: 'body', message: 'is nested deeper than 32 levels' }],
    ]);
    const rows = await auditRows();
    expect(rows.length).toBe(before + 1);
    expect(JSON.stringify(rows.at(-1)!.request)).toContain('[nested too deep]');
  });

  it('is written in the same transaction as the change: a change whose audit cannot be written is rolled back', async () => {
    // Make the audit insert fail for this actor only: the change must not stay without its row.
    await sql`ALTER TABLE api_audit ADD CONSTRAINT no_mallory CHECK (actor <> 'mallory')`.execute(api.t.db);
    try {
      const res = await api.call('POST', '/api/snoozes', {
        body: { scope: 'team', subject: 'team', until: '2026-12-01T00:00:00Z', reason: 'planned migration' },
        login: 'mallory',
      });
      expect(res.status).toBe(500);
      expect(await api.t.db.selectFrom('snoozes').selectAll().execute()).toEqual([]);
    } finally {
      await sql`ALTER TABLE api_audit DROP CONSTRAINT no_mallory`.execute(api.t.db);
    }
    const ok = await api.call('POST', '/api/snoozes', {
      body: { scope: 'team', subject: 'team', until: '2026-12-01T00:00:00Z', reason: 'planned migration' },
      login: 'bob',
    });
    expect(ok.status).toBe(201);
    const rows = await auditDb()
      .selectFrom('api_audit')
      .select(['actor', 'status_code', 'route'])
      .where('route', '=', '/api/snoozes')
      .where('status_code', '=', 201)
      .execute();
    expect(rows).toEqual([{ actor: 'bob', status_code: 201, route: '/api/snoozes' }]);
  });
});

describe('dates outside what the API answers', () => {
  it('/api/metrics/incidents?to=0000-01-01T00:30:00+23:59 is a 400 naming query.to', async () => {
    const res = await api.call('GET', '/api/metrics/incidents?to=0000-01-01T00:30:00%2B23:59');
    expect([res.status, res.json.issues?.map((i: { path: string }) => i.path)]).toEqual([400, ['query.to']]);
  });
});
