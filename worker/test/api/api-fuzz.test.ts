import { API_ROUTES, CHARGEBACK_CSV_COLUMNS, DETECTORS, type ApiRoute } from '@cursor-cost-watch/contract';
import fc from 'fast-check';
import type { PgBoss } from 'pg-boss';
import type { AuditDb } from '../../src/api/audit';
import { settingFields } from '../../src/api/queries/settings-fields';
import { createLogger } from '../../src/config/log';
import { CursorClient } from '../../src/cursor/client';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { startBoss } from '../../src/queue/boss';
import { createTestDb } from '../support/test-db';
import { seedIncident, seedTeam } from './fixtures';
import { encodeComponent, hostileString, hostileValue } from './fuzz/hostile';
import { arbitraryFor } from './fuzz/zod-arbitrary';
import { NOW, startTestApi, TOKEN, type TestApi } from './support';

/**
 * Every route of the contract called with requests generated from its own zod schemas, mostly valid and hostile at
 * every field (NUL, unpaired surrogates, huge, deeply nested, wrong types, unknown keys, forged login). The properties:
 * no answer is a 5xx, a 2xx body parses with the route's response schema, and every change attempted (accepted or
 * refused) has exactly one api_audit row with its status and actor. FUZZ_RUNS (per route) and FUZZ_SEED override.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 20261120);
const EMAILS = ['alice@example.com', 'bob@example.com', 'carol@example.com', "o'brien@example.com"];

let api: TestApi;
let boss: PgBoss;
let sim: SimulatorServer;
beforeAll(async () => {
  const t = await createTestDb('fuzz');
  boss = await startBoss(t.url, createLogger('silent'));
  // Spend-limit changes reach a simulated Cursor over HTTP (it answers outcome "error" for these example.com people).
  const team = createSimulatedTeam({ seed: 5, teamSize: 10, now: () => NOW.getTime() });
  sim = await startSimulatorServer({ team, apiKey: 'key_fuzz', rateLimitsPerMinute: null });
  const cursor = new CursorClient({
    baseUrl: sim.url,
    apiKey: 'key_fuzz',
    rateLimits: { admin: 0, events: 0, analytics: 0 },
  });
  api = await startTestApi({ boss, cursor }, {}, t);
  await seedTeam(t.db, NOW);
  const statuses = ['open', 'alerted', 'acknowledged', 'resolved'] as const;
  for (let i = 0; i < 8; i++)
    await seedIncident(t.db, {
      subject: EMAILS[i % EMAILS.length],
      detector: DETECTORS[i],
      status: statuses[i % statuses.length],
      onset: new Date(NOW.getTime() - (i + 1) * 86_400_000),
    });
}, 120_000);
afterAll(async () => {
  await boss.stop({ graceful: false });
  await api.close();
  await sim.close();
});

const audit = () => api.t.db as unknown as AuditDb;

/** Setting patches from the fields GET /api/settings publishes, mixed with unknown keys and hostile values. */
const settingsPatch: fc.Arbitrary<unknown> = (() => {
  const fields = settingFields();
  const valueFor = (f: (typeof fields)[number]): fc.Arbitrary<unknown> => {
    switch (f.type) {
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.constantFrom(...(f.options ?? ['x']));
      case 'list':
        return fc.subarray(f.options ?? []);
      case 'integer':
        return fc.integer({ min: f.min ?? -1e6, max: Math.min(f.max ?? 1e6, 1e9) });
      case 'number':
        return fc.double({ min: f.min ?? -1e6, max: Math.min(f.max ?? 1e6, 1e9), noNaN: true });
      default:
        return fc.string();
    }
  };
  const entry = fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...fields.map((f) => fc.tuple(fc.constant(f.key), valueFor(f)))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fields.map((f) => f.key)), hostileValue) },
    { weight: 1, arbitrary: fc.tuple(hostileString, hostileValue) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.array(entry, { maxLength: 3 }).map((e) => Object.fromEntries(e)) },
    { weight: 1, arbitrary: hostileValue },
  );
})();

/** Path parameters: mostly ids and emails that exist, else whatever the schema generates. */
function paramsFor(route: ApiRoute): fc.Arbitrary<Record<string, unknown>> {
  if (!route.params) return fc.constant({});
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ id: fc.integer({ min: 1, max: 9 }), email: fc.constantFrom(...EMAILS) }) },
    { weight: 1, arbitrary: arbitraryFor(route.params) as fc.Arbitrary<Record<string, unknown>> },
  );
}

const login = fc.option(fc.oneof(fc.constantFrom('alice', 'ops.olga', '  bob  '), hostileString), { freq: 3 });

/** JSON with every non-ASCII code unit escaped, as a header must be bytes (Go's encoder leaves them raw in UTF-8). */
const asciiJson = (v: unknown) =>
  JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function queryString(q: unknown): string {
  if (q === null || typeof q !== 'object') return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      const text = typeof one === 'string' ? one : typeof one === 'object' ? JSON.stringify(one) : String(one);
      parts.push(`${encodeComponent(k)}=${encodeComponent(text)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function pathOf(route: ApiRoute, params: Record<string, unknown>): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    const v = params[name] ?? '';
    return encodeComponent(typeof v === 'object' ? JSON.stringify(v) : String(v));
  });
}

const expectedActor = (name: string | null) => {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? 'api' : Array.from(trimmed).slice(0, 200).join('');
};

describe('API fuzz from the contract', () => {
  it.each(Object.entries(API_ROUTES))(
    '%s: no 5xx, 2xx bodies match the contract, every change attempt audited',
    async (name, r) => {
      const route = r as ApiRoute;
      const isChange = route.method !== 'GET';
      const body = route.body
        ? name === 'updateSettings' || name === 'previewSettings'
          ? settingsPatch
          : arbitraryFor(route.body)
        : fc.constant(undefined);
      const query = route.query ? arbitraryFor(route.query) : fc.constant(undefined);
      await fc.assert(
        fc.asyncProperty(paramsFor(route), query, body, login, async (params, q, b, who) => {
          const path = pathOf(route, params);
          const url = `${path}${queryString(q)}`;
          const before = await audit()
            .selectFrom('api_audit')
            .select((eb) => eb.fn.max('id').as('id'))
            .executeTakeFirstOrThrow();
          const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
          if (who !== null) headers['x-grafana-context'] = asciiJson({ UserID: 7, Login: who, OrgRole: 'Admin' });
          if (b !== undefined) headers['content-type'] = 'application/json';
          const res = await fetch(`${api.url}${url}`, {
            method: route.method,
            headers,
            body: b === undefined ? undefined : JSON.stringify(b),
          });
          const text = await res.text();
          expect([url, res.status, res.status < 500 ? '' : text]).toEqual([url, expect.any(Number), '']);
          // GET /api/chargeback?format=csv answers CSV: its header line is the contract's.
          if (res.status < 300 && res.headers.get('content-type')?.startsWith('text/csv'))
            expect(text.split('\r\n')[0]).toBe(CHARGEBACK_CSV_COLUMNS.join(','));
          else if (res.status < 300) expect(route.response.safeParse(JSON.parse(text)).error).toBeUndefined();
          const rows = await audit()
            .selectFrom('api_audit')
            .selectAll()
            .where('id', '>', Number(before.id ?? 0))
            .execute();
          if (!isChange) {
            expect(rows).toEqual([]);
            return;
          }
          expect(rows.map((row) => [row.method, row.status_code])).toEqual([[route.method, res.status]]);
          // Unstorable text in the login is refused (400) and recorded with U+FFFD in its place.
          if (res.status !== 400 || !rows[0].actor.includes('\ufffd')) expect(rows[0].actor).toBe(expectedActor(who));
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    120_000,
  );

  it('every accepted change in the domain tables has its audit row', async () => {
    const count = async (route: string, method: string, status: number) =>
      Number(
        (
          await audit()
            .selectFrom('api_audit')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('route', '=', route)
            .where('method', '=', method)
            .where('status_code', '=', status)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const snoozes = await api.t.db.selectFrom('snoozes').select('id').execute();
    const created = await count('/api/snoozes', 'POST', 201);
    const deleted = await count('/api/snoozes/:id', 'DELETE', 200);
    expect(created).toBe(snoozes.length + deleted);
    const events = await api.t.db
      .selectFrom('incident_events')
      .select(['action'])
      .where('action', 'in', ['acknowledged', 'resolved', 'reopened'])
      .where('actor', '<>', 'system')
      .execute();
    const transitions =
      (await count('/api/incidents/:id/acknowledge', 'POST', 200)) +
      (await count('/api/incidents/:id/resolve', 'POST', 200)) +
      (await count('/api/incidents/:id/reopen', 'POST', 200));
    expect(events.length).toBe(transitions);
    expect(transitions).toBeGreaterThan(0);
    const limitChanges = await api.t.db
      .selectFrom('spend_limit_changes' as never)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number((limitChanges as { n: number }).n)).toBe(
      (await count('/api/spend-limits', 'POST', 200)) +
        (await count('/api/spend-limits/changes/:id/undo', 'POST', 200)),
    );
  });
});
