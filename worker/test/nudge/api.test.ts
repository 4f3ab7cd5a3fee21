import { incidentMetricsSchema, nudgeStatusSchema } from '@cursor-cost-watch/contract';
import type { AuditDb } from '../../src/api/audit';
import { seedIncident } from '../api/fixtures';
import { NOW, startTestApi, type TestApi } from '../api/support';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('nudge API: opt-out and nudged vs not-nudged metrics', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.t.db.insertInto('members').values({ email: 'ana@example.com', name: 'Ana', role: 'member' }).execute();
  });
  afterAll(() => api.close());

  const audit = () =>
    (api.t.db as unknown as AuditDb)
      .selectFrom('api_audit')
      .select(['actor', 'method', 'route', 'status_code', 'request'])
      .where('route', 'like', '%nudge%')
      .orderBy('id')
      .execute();

  it('opts a developer out and back in, audited with who did it; a Viewer reads the state', async () => {
    const before = await api.call('GET', '/api/users/ana@example.com/nudges');
    expect(before.status).toBe(200);
    expect(nudgeStatusSchema.parse(before.json)).toMatchObject({ optedOut: false, dailyCap: 2, policyDetectors: [] });

    const out = await api.call('PUT', '/api/users/Ana@Example.com/nudge-opt-out', {
      body: { optedOut: true, reason: 'on call this week' },
      login: 'lead',
    });
    expect(out.status).toBe(200);
    expect(nudgeStatusSchema.parse(out.json)).toMatchObject({
      email: 'ana@example.com',
      optedOut: true,
      reason: 'on call this week',
      changedBy: 'lead',
      changedAt: NOW.toISOString(),
    });
    // Setting the same state again keeps who first did it.
    await api.call('PUT', '/api/users/ana@example.com/nudge-opt-out', { body: { optedOut: true }, login: 'other' });
    expect((await api.call('GET', '/api/users/ana@example.com/nudges')).json.changedBy).toBe('lead');

    const back = await api.call('PUT', '/api/users/ana@example.com/nudge-opt-out', {
      body: { optedOut: false },
      login: 'ana',
    });
    expect(back.json).toMatchObject({ optedOut: false, changedBy: null });
    expect(await audit()).toEqual([
      expect.objectContaining({
        actor: 'lead',
        method: 'PUT',
        status_code: 200,
        request: { optedOut: true, reason: 'on call this week' },
      }),
      expect.objectContaining({ actor: 'other', status_code: 200 }),
      expect.objectContaining({ actor: 'ana', status_code: 200, request: { optedOut: false } }),
    ]);
  });

  it('refuses bad input with what was wrong and where, and audits the refusal', async () => {
    const bad = await api.call('PUT', '/api/users/ana@example.com/nudge-opt-out', {
      body: { optedOut: 'yes' },
      login: 'lead',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: 'body.optedOut', message: 'must be true or false' }]);
    const unknown = await api.call('PUT', '/api/users/nobody@example.com/nudge-opt-out', {
      body: { optedOut: true },
      login: 'lead',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toBe('No member with the email nobody@example.com');
    const notEmail = await api.call('GET', '/api/users/team/nudges');
    expect(notEmail.status).toBe(400);
    expect(notEmail.json.issues[0]).toMatchObject({ path: 'params.email' });
    expect((await audit()).slice(-2).map((a) => a.status_code)).toEqual([400, 404]);
    expect(await api.t.db.selectFrom('nudge_opt_outs').selectAll().execute()).toEqual([]);
  });

  it('compares MTTR and dollars of nudged incidents with the others', async () => {
    const db = api.t.db;
    const onset = new Date(NOW.getTime() - 10 * DAY);
    const resolvedIn = (days: number) => new Date(onset.getTime() + days * DAY);
    // Nudged and fixed in 1 day ($30), nudged and escalated, resolved in 3 days ($120); a skipped nudge and a
    // plain incident count as not nudged: resolved in 4 days ($200), open ($50).
    const a = await seedIncident(db, {
      subject: 'a@x.io',
      detector: 'model_shift',
      onset,
      impactCents: 3000,
      status: 'resolved',
      resolved: resolvedIn(1),
    });
    const b = await seedIncident(db, {
      subject: 'b@x.io',
      detector: 'model_shift',
      onset,
      impactCents: 12000,
      status: 'resolved',
      resolved: resolvedIn(3),
    });
    const c = await seedIncident(db, {
      subject: 'c@x.io',
      detector: 'model_shift',
      onset,
      impactCents: 20000,
      status: 'resolved',
      resolved: resolvedIn(4),
    });
    await seedIncident(db, { subject: 'd@x.io', detector: 'personal_spike', onset, impactCents: 5000 });
    await db.updateTable('incidents').set({ resolution_reason: 'fixed_after_nudge' }).where('id', '=', a).execute();
    const nudge = (
      incidentId: number,
      status: 'sent' | 'skipped',
      outcome: 'escalated' | 'fixed_after_nudge' | null,
    ) => ({
      incident_id: incidentId,
      email: 'x@x.io',
      status,
      escalate_after_days: 2,
      created_at: new Date(onset.getTime() + 6 * HOUR),
      sent_at: status === 'sent' ? new Date(onset.getTime() + 6 * HOUR) : null,
      outcome,
    });
    await db
      .insertInto('nudges')
      .values([nudge(a, 'sent', 'fixed_after_nudge'), nudge(b, 'sent', 'escalated'), nudge(c, 'skipped', null)])
      .execute();

    const res = await api.call('GET', '/api/metrics/incidents');
    expect(res.status).toBe(200);
    const m = incidentMetricsSchema.parse(res.json);
    expect(m.nudge).toEqual({
      nudged: {
        total: 2,
        resolved: 2,
        mttr: { mean: 2 * 86_400, median: 2 * 86_400 },
        impactCents: 15000,
        fixedAfterNudge: 1,
        escalated: 1,
      },
      notNudged: { total: 2, resolved: 1, mttr: { mean: 4 * 86_400, median: 4 * 86_400 }, impactCents: 25000 },
    });
    // A fixed-after-nudge verdict is a true positive for the detector's precision.
    expect(m.perDetector.find((d) => d.detector === 'model_shift')).toMatchObject({ resolved: 3, precision: 1 });
  });
});
