import { healthSchema } from '@cursor-cost-watch/contract';
import { assertSafeToListen, isLoopbackHost, tokenMatches } from '../../src/api/auth';
import { startApi } from '../../src/api/server';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { seedIncident, seedTeam } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await seedTeam(api.t.db, NOW);
  await seedIncident(api.t.db, {
    subject: 'alice@example.com',
    detector: 'personal_spike',
    severity: 'critical',
    onset: NOW,
  });
  await api.t.db
    .insertInto('collection_watermarks')
    .values({ endpoint: 'usage_events', watermark: new Date(NOW.getTime() - 90_000) })
    .execute();
  await api.t.db
    .insertInto('collection_runs')
    .values([
      {
        run_id: '00000000-0000-4000-8000-000000000001',
        endpoint: 'usage_events',
        trigger: 'schedule',
        status: 'ok',
        rows_new: 1234,
      },
      {
        run_id: '00000000-0000-4000-8000-000000000002',
        endpoint: 'spend',
        trigger: 'schedule',
        status: 'failed',
        error: 'HTTP 500',
      },
    ])
    .execute();
});
afterAll(() => api.close());

describe('authentication', () => {
  it('401 without a token and with a wrong one, on reads and writes alike', async () => {
    for (const [method, path] of [
      ['GET', '/api/incidents'],
      ['GET', '/api/settings'],
      ['PUT', '/api/settings'],
      ['POST', '/api/collection/run'],
    ] as const) {
      const none = await api.call(method, path, { token: null, body: method === 'GET' ? undefined : {} });
      expect([path, none.status, none.json.error]).toEqual([path, 401, 'unauthorized']);
      const wrong = await api.call(method, path, {
        token: 'test-token-0123456789abcdeX',
        body: method === 'GET' ? undefined : {},
      });
      expect([path, wrong.status, wrong.json.message]).toEqual([path, 401, expect.stringMatching(/token is wrong/)]);
    }
    expect((await api.call('GET', '/api/incidents', { token: 'short' })).status).toBe(401);
  });

  it('accepts the right token', async () => {
    expect((await api.call('GET', '/api/incidents')).status).toBe(200);
  });

  it('a refused request changes nothing and is not audited as a change', async () => {
    await api.call('PUT', '/api/settings', { token: 'nope-nope-nope-nope-nope', body: { minImpactDollars: 1 } });
    const rows = await api.t.db.selectFrom('settings').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('compares tokens in constant time whatever their length', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });

  it('refuses to listen on a non-loopback address without a token', async () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.5')).toBe(false);
    expect(() => assertSafeToListen('0.0.0.0', undefined)).toThrow(/WORKER_API_TOKEN/);
    expect(() => assertSafeToListen('0.0.0.0', 'x'.repeat(16))).not.toThrow();
    const config = loadConfig({ LOG_LEVEL: 'silent', WORKER_API_HOST: '0.0.0.0' });
    await expect(startApi({ db: api.t.db, config, log: createLogger('silent'), port: 0 })).rejects.toThrow(
      /Refusing to start/,
    );
  });

  it('without a token on loopback, the API answers without auth', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const { app, url } = await startApi({
      db: api.t.db,
      config,
      log: createLogger('silent'),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      expect((await fetch(`${url}/api/incidents`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('public endpoints', () => {
  it('GET /healthz needs no token and checks the database', async () => {
    const r = await api.call('GET', '/healthz', { token: null });
    expect(r.status).toBe(200);
    expect(healthSchema.parse(r.json)).toEqual({ ok: true, database: true });
  });

  it('GET /metrics exposes lag, ingested events, open incidents and job failures in Prometheus format', async () => {
    const r = await api.call('GET', '/metrics', { token: null });
    expect(r.status).toBe(200);
    expect(r.text).toContain('cursorwatch_collection_lag_seconds{endpoint="usage_events"} 90');
    expect(r.text).toContain('cursorwatch_events_ingested_total{endpoint="usage_events"} 1234');
    expect(r.text).toContain('cursorwatch_open_incidents{severity="critical"} 1');
    expect(r.text).toContain('cursorwatch_open_incidents{severity="info"} 0');
    expect(r.text).toContain('cursorwatch_job_failures_total{job="collect",target="spend"} 1');
  });

  it('unknown paths are 404 in the API error shape', async () => {
    const r = await api.call('GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'not_found', message: 'No endpoint GET /api/nothing-here' });
  });

  it('malformed JSON is a 400 that says so', async () => {
    const res = await fetch(`${api.url}/api/snoozes`, {
      method: 'POST',
      headers: { authorization: `Bearer test-token-0123456789abcdef`, 'content-type': 'application/json' },
      body: '{"scope":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/JSON/i);
  });
});
