import { incidentDetailSchema, incidentListSchema, incidentSchema } from '@cursor-cost-watch/contract';
import { seedIncident, seedTeam } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

const H = 3_600_000;
const D = 24 * H;
let api: TestApi;
const ids: Record<string, number> = {};

beforeAll(async () => {
  api = await startTestApi();
  const db = api.t.db;
  await seedTeam(db, NOW, { shiftEmail: 'carol@example.com', shiftDaysAgo: 3 });
  ids.carolShift = await seedIncident(db, {
    subject: 'carol@example.com',
    detector: 'model_shift',
    severity: 'critical',
    onset: new Date(NOW.getTime() - 3 * D - 12 * H),
    impactCents: 30_000,
    status: 'alerted',
  });
  ids.aliceSpike = await seedIncident(db, {
    subject: 'alice@example.com',
    detector: 'personal_spike',
    severity: 'warning',
    onset: new Date(NOW.getTime() - 2 * D),
    impactCents: 9_000,
  });
  ids.bobOld = await seedIncident(db, {
    subject: 'bob@example.com',
    detector: 'sustained_drift',
    severity: 'info',
    status: 'resolved',
    onset: new Date(NOW.getTime() - 30 * D),
    resolved: new Date(NOW.getTime() - 25 * D),
    impactCents: 2_500,
  });
  ids.team = await seedIncident(db, {
    scope: 'team',
    subject: 'team',
    detector: 'team_shift',
    severity: 'warning',
    onset: new Date(NOW.getTime() - 1 * D),
    impactCents: 50_000,
  });
  ids.groupTeam = await seedIncident(db, {
    scope: 'team',
    subject: 'grp-platform',
    detector: 'team_shift',
    severity: 'info',
    onset: new Date(NOW.getTime() - 5 * D),
    impactCents: 1_000,
  });
});
afterAll(() => api.close());

describe('GET /api/incidents', () => {
  it('lists every incident, newest detection first, in the contract shape', async () => {
    const r = await api.call('GET', '/api/incidents');
    expect(r.status).toBe(200);
    const list = incidentListSchema.parse(r.json);
    expect(list.total).toBe(5);
    expect(list.items.map((i) => i.id)).toEqual([ids.team, ids.aliceSpike, ids.carolShift, ids.groupTeam, ids.bobOld]);
  });

  it('filters by status, severity, detector, user and team', async () => {
    const ids_ = async (q: string) =>
      ((await api.call('GET', `/api/incidents?${q}`)).json.items as { id: number }[]).map((i) => i.id).sort();
    expect(await ids_('status=open,alerted')).toEqual([ids.carolShift, ids.aliceSpike, ids.team, ids.groupTeam].sort());
    expect(await ids_('status=resolved')).toEqual([ids.bobOld]);
    expect(await ids_('severity=critical')).toEqual([ids.carolShift]);
    expect(await ids_('detector=team_shift')).toEqual([ids.team, ids.groupTeam].sort());
    expect(await ids_('user=ALICE@')).toEqual([ids.aliceSpike]);
    expect(await ids_('team=grp-platform')).toEqual([ids.aliceSpike, ids.bobOld, ids.groupTeam].sort());
  });

  it('keeps incidents active during the time range (onset before its end, resolution after its start)', async () => {
    const from = new Date(NOW.getTime() - 10 * D).toISOString();
    const to = new Date(NOW.getTime() - 2.5 * D).toISOString();
    const r = await api.call('GET', `/api/incidents?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect((r.json.items as { id: number }[]).map((i) => i.id).sort()).toEqual([ids.carolShift, ids.groupTeam].sort());
  });

  it('sorts and paginates', async () => {
    const page1 = await api.call('GET', '/api/incidents?sort=impact_cents&order=asc&pageSize=2&page=1');
    const page3 = await api.call('GET', '/api/incidents?sort=impact_cents&order=asc&pageSize=2&page=3');
    expect(page1.json.items.map((i: { impactCents: number }) => i.impactCents)).toEqual([1_000, 2_500]);
    expect(page3.json.items.map((i: { impactCents: number }) => i.impactCents)).toEqual([50_000]);
    expect(page3.json).toMatchObject({ total: 5, page: 3, pageSize: 2 });
    const bySeverity = await api.call('GET', '/api/incidents?sort=severity&order=desc&pageSize=1');
    expect(bySeverity.json.items[0].id).toBe(ids.carolShift);
  });

  it('answers 400 naming the field and the reason', async () => {
    const bad = await api.call('GET', '/api/incidents?status=exploded&pageSize=0&sort=subject;drop');
    expect(bad.status).toBe(400);
    const paths = bad.json.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['query.pageSize', 'query.sort', 'query.status.0']);
    expect(bad.json.issues.find((i: { path: string }) => i.path === 'query.status.0').message).toMatch(
      /one of open, alerted/,
    );
    const when = await api.call('GET', '/api/incidents?from=yesterday');
    expect(when.status).toBe(400);
    expect(when.json.issues[0]).toEqual({ path: 'query.from', message: expect.stringMatching(/ISO-8601/) });
  });

  it('treats SQL in filters as plain text', async () => {
    for (const evil of ["' OR 1=1 --", "x'); DROP TABLE incidents; --", '%', '_']) {
      const r = await api.call(
        'GET',
        `/api/incidents?user=${encodeURIComponent(evil)}&team=${encodeURIComponent(evil)}`,
      );
      expect(r.status).toBe(200);
      expect(r.json.total).toBe(0);
    }
    expect((await api.call('GET', '/api/incidents')).json.total).toBe(5);
  });
});

describe('GET /api/incidents/:id', () => {
  it('returns the evidence: series with band around the onset, why, model mix before/after, timeline', async () => {
    const r = await api.call('GET', `/api/incidents/${ids.carolShift}`);
    expect(r.status).toBe(200);
    const d = incidentDetailSchema.parse(r.json);
    expect(d.incident.subject).toBe('carol@example.com');
    expect(d.seriesUnit).toBe('cents');
    const onsetDay = d.incident.onsetAt.slice(0, 10);
    expect(d.series[0].day < onsetDay).toBe(true);
    expect(d.series.at(-1)!.day).toBe('2026-11-20');
    expect(d.series.find((p) => p.day === '2026-11-10')!.observed).toBe(1500);
    expect(d.series.find((p) => p.day === '2026-11-19')!.observed).toBe(9000);
    // A model shift is scored on daily spend: its expected line and band are on the chart.
    expect(d.series.find((p) => p.day === '2026-11-19')).toMatchObject({
      expected: 1500,
      bandLow: 750,
      bandHigh: 2400,
    });
    expect(d.modelMix.before).toEqual([{ model: 'gpt-5-mini', cents: expect.any(Number), share: 1 }]);
    expect(d.modelMix.after[0]).toMatchObject({ model: 'claude-4-opus' });
    expect(d.why).toMatchObject({ driver: 'model_mix' });
    expect(d.timeline.map((e) => e.action)).toEqual(['opened']);
  });

  it("draws a renamed spike's first days with the band stored under its old detector", async () => {
    // carol's model shift as if renamed from a spike: the spike's day was stored as a personal_spike anomaly, linked.
    await api.t.db
      .insertInto('anomalies')
      .values({
        as_of: '2026-11-17',
        scope: 'user',
        subject: 'carol@example.com',
        detector: 'personal_spike',
        severity: 'critical',
        onset_at: '2026-11-17T00:00:00.000Z',
        observed: 9000,
        expected: 1234,
        band_low: 600,
        band_high: 2000,
        why: '{}',
        incident_id: ids.carolShift,
      })
      .execute();
    try {
      const d = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${ids.carolShift}`)).json);
      expect(d.series.find((p) => p.day === '2026-11-17')).toMatchObject({
        expected: 1234,
        bandLow: 600,
        bandHigh: 2000,
      });
    } finally {
      await api.t.db.deleteFrom('anomalies').where('detector', '=', 'personal_spike').execute();
    }
  });

  it('sums a billing group for a team incident', async () => {
    const d = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${ids.groupTeam}`)).json);
    expect(d.series.find((p) => p.day === '2026-11-10')!.observed).toBe(3000); // alice + bob
  });

  it('404 for an unknown incident, 400 for a malformed id', async () => {
    const missing = await api.call('GET', '/api/incidents/999999');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/999999/);
    const bad = await api.call('GET', '/api/incidents/abc');
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('params.id');
  });
});

describe('incident transitions', () => {
  it('acknowledges as the Grafana user, then refuses a second acknowledgement with 409', async () => {
    const r = await api.call('POST', `/api/incidents/${ids.aliceSpike}/acknowledge`, {
      body: { note: 'looking' },
      login: 'manager.mia',
    });
    expect(r.status).toBe(200);
    expect(incidentSchema.parse(r.json)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'manager.mia' });
    const again = await api.call('POST', `/api/incidents/${ids.aliceSpike}/acknowledge`, {
      body: {},
      login: 'manager.mia',
    });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('conflict');
  });

  it('resolves with a reason and note, 409 on resolving twice, reopens', async () => {
    const bad = await api.call('POST', `/api/incidents/${ids.aliceSpike}/resolve`, { body: { reason: 'bored' } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues[0].path).toBe('body.reason');
    const extra = await api.call('POST', `/api/incidents/${ids.aliceSpike}/resolve`, {
      body: { reason: 'fixed', status: 'open' },
    });
    expect(extra.status).toBe(400);
    expect(extra.json.issues[0].message).toMatch(/status/);

    const ok = await api.call('POST', `/api/incidents/${ids.aliceSpike}/resolve`, {
      body: { reason: 'expected', note: 'offsite hackathon' },
      login: 'manager.mia',
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      status: 'resolved',
      resolutionReason: 'expected',
      resolutionNote: 'offsite hackathon',
      resolvedBy: 'manager.mia',
    });
    const twice = await api.call('POST', `/api/incidents/${ids.aliceSpike}/resolve`, { body: { reason: 'fixed' } });
    expect(twice.status).toBe(409);
    expect(twice.json.message).toMatch(/already resolved/);

    const reopened = await api.call('POST', `/api/incidents/${ids.aliceSpike}/reopen`, { body: {} });
    expect(reopened.status).toBe(200);
    expect(reopened.json.status).not.toBe('resolved');

    const timeline = (await api.call('GET', `/api/incidents/${ids.aliceSpike}`)).json.timeline as {
      action: string;
      actor: string;
    }[];
    expect(timeline.map((e) => `${e.action}:${e.actor}`)).toEqual([
      'opened:detector',
      'acknowledged:manager.mia',
      'resolved:manager.mia',
      'reopened:api',
    ]);
  });

  it('404 when changing an unknown incident', async () => {
    const r = await api.call('POST', '/api/incidents/424242/acknowledge', { body: {} });
    expect(r.status).toBe(404);
  });

  it('stores SQL-injection text verbatim and harmlessly', async () => {
    const evil = "'); DELETE FROM incidents; -- \\ % _ \u0000".replace('\u0000', '');
    const r = await api.call('POST', `/api/incidents/${ids.carolShift}/acknowledge`, {
      body: { note: evil },
      login: "x'; DROP TABLE settings; --",
    });
    expect(r.status).toBe(200);
    expect(r.json.acknowledgedBy).toBe("x'; DROP TABLE settings; --");
    const ev = await api.t.db
      .selectFrom('incident_events')
      .select(['details', 'actor'])
      .where('incident_id', '=', ids.carolShift)
      .where('action', '=', 'acknowledged')
      .executeTakeFirstOrThrow();
    expect(ev.details).toEqual({ note: evil.trim() });
    expect((await api.call('GET', '/api/incidents')).json.total).toBe(5);
    expect((await api.call('GET', '/api/settings')).status).toBe(200);
  });

  it('writes an audit row for every change with the actor, refused ones included', async () => {
    const rows = await api.t.db
      .selectFrom('api_audit' as never)
      .select(['actor', 'route', 'status_code'] as never[])
      .orderBy('id' as never)
      .execute();
    const seen = (rows as { actor: string; route: string; status_code: number }[]).map(
      (r) => `${r.status_code} ${r.route} ${r.actor}`,
    );
    expect(seen).toContain('200 /api/incidents/:id/acknowledge manager.mia');
    expect(seen).toContain('409 /api/incidents/:id/acknowledge manager.mia');
    expect(seen).toContain('400 /api/incidents/:id/resolve api');
    expect(seen).toContain('200 /api/incidents/:id/reopen api');
  });
});
