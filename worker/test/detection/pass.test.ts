import { addDays } from '@cursor-cost-watch/contract';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { loadDetectionInput } from '../../bench/load-arrays-reference';
import { backtest } from '../../src/jobs/backtest';
import { runDetectionPass } from '../../src/jobs/detection-pass';
import type { DetectionInput } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { emailOf, makeInput } from './fixtures';
import { storeDetectionInput } from '../../bench/evaluation/store-input';

const asOf = '2026-11-18';
const spiker = emailOf(3);

async function store(t: TestDb, input: DetectionInput): Promise<void> {
  await storeDetectionInput(t.db, input);
}

describe('detection against PostgreSQL', () => {
  let t: TestDb;
  const input = makeInput({
    users: 12,
    days: 60,
    asOf: addDays(asOf, 1),
    seed: 21,
    requests: 150,
    tweak: (e, day) => (e === spiker && day === asOf ? { volume: 9, active: true } : undefined),
  });
  const deps = () => ({ db: t.db, config: loadConfig({} as NodeJS.ProcessEnv), log: createLogger('silent') });

  beforeAll(async () => {
    t = await createTestDb('detect');
    await store(t, input);
    await t.db.insertInto('members').values({ email: spiker, first_seen_at: '2026-11-01T10:00:00Z' }).execute();
    await t.db
      .insertInto('member_spend')
      .values([
        {
          email: spiker,
          cycle_start: '2026-11-05T00:00:00Z',
          spend_cents: 1234,
          overall_spend_cents: 1234,
          collected_at: `${asOf}T08:00:00Z`,
        },
        {
          email: emailOf(4),
          cycle_start: '2026-11-05T00:00:00Z',
          spend_cents: 999,
          overall_spend_cents: 999,
          collected_at: `${addDays(asOf, 1)}T08:00:00Z`,
        },
      ])
      .execute();
  });
  afterAll(async () => dropTestDb(t));

  it('loads only data up to asOf, with tokens summed, first-seen days and the cycle spend known by then', async () => {
    const loaded = await loadDetectionInput(t.db, asOf, { days: 30, now: new Date(`${asOf}T15:00:00Z`) });
    expect(loaded.asOf).toBe(asOf);
    expect(loaded.partialDay).toBe(true);
    expect(loaded.userDays.every((r) => r.day <= asOf && r.day >= addDays(asOf, -29))).toBe(true);
    expect(loaded.userDays.length).toBe(
      input.userDays.filter((r) => r.day <= asOf && r.day >= addDays(asOf, -29)).length,
    );
    const row = loaded.userDays.find((r) => r.email === spiker && r.day === asOf)!;
    const source = input.userDays.find((r) => r.email === spiker && r.day === asOf)!;
    expect(row.totalTokens).toBe(source.totalTokens);
    expect(row.chargedCents).toBeCloseTo(source.chargedCents, 4);
    expect(loaded.userModelDays.some((r) => r.day > asOf)).toBe(false);
    // first seen: the member list says Nov 1, but the rollups show use from the first fixture day
    expect(loaded.members.find((m) => m.email === spiker)?.firstSeenDay).toBe(
      input.userDays.find((r) => r.email === spiker)!.day,
    );
    // the spend collected after asOf is not visible as of asOf
    expect(loaded.cycleSpend).toEqual(
      expect.arrayContaining([
        { email: spiker, cycleStart: '2026-11-05', spendCents: 1234 },
        { email: emailOf(4), cycleStart: '2026-11-05', spendCents: 0 },
      ]),
    );
    await expect(loadDetectionInput(t.db, '2026-13-01')).rejects.toThrow('asOf "2026-13-01" must be a day');
  });

  it('runs a pass: stores the anomalies, opens one incident, and a second pass updates it rather than duplicating', async () => {
    const first = await runDetectionPass(deps(), { asOf, now: new Date(`${addDays(asOf, 1)}T01:00:00Z`) });
    const mine = first.anomalies.filter((a) => a.subject === spiker);
    expect(mine.map((a) => a.detector)).toEqual(['personal_spike']);
    expect(mine[0].incidentId).not.toBeNull();
    expect(first.incidents.opened).toContain(mine[0].incidentId);
    expect(first.queued).toEqual([]); // no pg-boss given

    const stored = await t.db
      .selectFrom('anomalies')
      .selectAll()
      .where('as_of', '=', asOf)
      .where('subject', '=', spiker)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ detector: 'personal_spike', incident_id: mine[0].incidentId, unit: 'cents' });
    expect(stored[0].impact_cents).toBeCloseTo(mine[0].impactCents, 2);
    expect((stored[0].why as { summary?: string }).summary).toContain(spiker);

    const second = await runDetectionPass(deps(), { asOf, now: new Date(`${addDays(asOf, 1)}T02:00:00Z`) });
    expect(second.incidents.opened).toEqual([]);
    expect(second.anomalies.find((a) => a.subject === spiker)?.incidentId).toBe(mine[0].incidentId);
    const incidents = await t.db
      .selectFrom('incidents')
      .select(['id', 'detector'])
      .where('subject', '=', spiker)
      .execute();
    expect(incidents).toHaveLength(1);
    expect(
      await t.db.selectFrom('anomalies').select('id').where('as_of', '=', asOf).where('subject', '=', spiker).execute(),
    ).toHaveLength(1);
  });

  it('backtests the last days with the given settings and writes nothing', async () => {
    const count = async () =>
      (await t.db.selectFrom('anomalies').select('id').execute()).length +
      (await t.db.selectFrom('incidents').select('id').execute()).length;
    const before = await count();
    const result = await backtest(t.db, { days: 10, endDay: asOf, settings: DEFAULT_SETTINGS });
    expect(result).toMatchObject({ days: 10, from: addDays(asOf, -9), to: asOf });
    expect(result.perDetector.personal_spike).toBeGreaterThanOrEqual(1);
    expect(result.total).toBe(Object.values(result.perDetector).reduce((s, n) => s + n, 0));
    expect(result.incidents.some((e) => e.subject === spiker && e.firstDay === asOf)).toBe(true);
    const off = await backtest(t.db, {
      days: 10,
      endDay: asOf,
      settings: { ...DEFAULT_SETTINGS, disabledDetectors: ['personal_spike'] },
    });
    expect(off.perDetector.personal_spike).toBe(0);
    expect(await count()).toBe(before);
    await expect(backtest(t.db, { days: 0 })).rejects.toThrow('days must be a whole number from 1 to 365');
  });
});
