import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { classifyAuditEvent } from '../../src/collector/store-audit';
import { auditLogEventSchema } from '../../src/cursor/schemas';
import { auditLogEvents } from '@cursor-cost-watch/simulator';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, TEST_KEY, testClient } from '../support/sim';

const config = { BACKFILL_DAYS: 45, RESTATE_DAYS: 2 };
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

describe('audit log collection', () => {
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  let t: TestDb;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamSize: 10, seed: 3, nowMs: Date.UTC(2026, 10, 20, 12), historyDays: 60 });
    t = await createTestDb('audit');
  });
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(t);
  });

  it('collects 45 days in 30-day windows, idempotently, with spend-limit and membership changes attributed', async () => {
    const now = new Date(sim.nowMs);
    const first = await collectOnce(
      { db: t.db, client: testClient(sim.server.url), log: silentLog, config },
      {
        trigger: 'test',
        now,
      },
    );
    expect(first.errors).toEqual([]);
    const start = startOfDay(sim.nowMs) - 45 * DAY_MS;
    const expected = auditLogEvents(sim.team, []).filter((e) => Date.parse(String(e.timestamp)) >= start);
    expect(expected.some((e) => Date.parse(String(e.timestamp)) < sim.nowMs - 30 * DAY_MS)).toBe(true); // 2 windows
    const stored = await sql<{ event_id: string; category: string; target_email: string | null }>`
      SELECT event_id, category, target_email FROM audit_logs ORDER BY event_id`.execute(t.db);
    expect(stored.rows.map((r) => r.event_id)).toEqual(expected.map((e) => e.event_id).sort());
    const limitRaises = stored.rows.filter((r) => r.category === 'spend_limit');
    const anomalyUsers = sim.team
      .truth()
      .filter(
        (a) =>
          a.scope === 'user' &&
          Date.parse(`${a.startDay}T11:00:00Z`) + DAY_MS >= start &&
          Date.parse(`${a.startDay}T11:00:00Z`) + DAY_MS <= sim.nowMs,
      );
    expect(anomalyUsers.length).toBeGreaterThan(0);
    expect(limitRaises.length).toBe(anomalyUsers.length);
    expect(limitRaises.every((r) => r.target_email?.includes('@'))).toBe(true);
    expect(stored.rows.filter((r) => r.category === 'membership').length).toBeGreaterThan(0);

    // Again: nothing new. Then an admin changes a limit through the API: it lands on the next run.
    const again = await collectOnce(
      { db: t.db, client: testClient(sim.server.url), log: silentLog, config },
      {
        trigger: 'test',
        now,
      },
    );
    expect(again.errors).toEqual([]);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_logs`.execute(t.db)).rows[0].n).toBe(
      stored.rows.length,
    );
    const who = sim.team.apiMembers()[4].email;
    const res = await fetch(`${sim.server.url}/teams/user-spend-limit`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${TEST_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userEmail: who, spendLimitDollars: 250 }),
    });
    expect(((await res.json()) as { outcome: string }).outcome).toBe('success');
    await collectOnce(
      { db: t.db, client: testClient(sim.server.url), log: silentLog, config },
      { trigger: 'test', now },
    );
    const change = await sql<{ category: string; data: { new_value: number } }>`
      SELECT category, event_data AS data FROM audit_logs WHERE target_email = ${who.toLowerCase()} AND category = 'spend_limit'
      ORDER BY event_ts DESC LIMIT 1`.execute(t.db);
    expect(change.rows[0]).toEqual({ category: 'spend_limit', data: expect.objectContaining({ new_value: 250 }) });
  }, 180_000);

  it('reads undocumented event types by their words', () => {
    const read = (event_type: string, event_data: Record<string, unknown>) =>
      classifyAuditEvent(
        auditLogEventSchema.parse({ event_id: 1, timestamp: 1_700_000_000_000, event_type, event_data }),
      );
    expect(read('settings_changed', { setting_name: 'team_spend_limit', old_value: 1, new_value: 2 })).toEqual({
      category: 'spend_limit',
      targetEmail: null,
    });
    expect(read('user_removed', { userEmail: 'Ann@Co.com' })).toEqual({
      category: 'membership',
      targetEmail: 'ann@co.com',
    });
    expect(read('login', { ip_address: '10.0.0.1' })).toEqual({ category: 'other', targetEmail: null });
  });
});
