import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import {
  DEFAULT_SETTINGS,
  SettingsValidationError,
  describeSettings,
  getSettings,
  updateSettings,
} from '../../src/settings';

describe('settings', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('settings');
  });
  afterAll(async () => dropTestDb(t));

  it("has the original tool's defaults and a description for every key", () => {
    expect(DEFAULT_SETTINGS.cycleSpendLimitDollars).toBe(50);
    expect(DEFAULT_SETTINGS.dailyRequestLimit).toBe(500);
    expect(DEFAULT_SETTINGS.dailyTokenLimit).toBe(5_000_000);
    expect(DEFAULT_SETTINGS.teamZThreshold).toBe(2);
    expect(DEFAULT_SETTINGS.teamZWindowDays).toBe(14);
    expect(DEFAULT_SETTINGS.spikeMultiplier).toBe(3);
    expect(DEFAULT_SETTINGS.driftDaysAbove).toBe(3);
    const described = describeSettings();
    expect(described.length).toBe(Object.keys(DEFAULT_SETTINGS).length);
    for (const d of described) expect(d.description.length).toBeGreaterThan(10);
    expect(described.find((d) => d.key === 'minImpactDollars')?.default).toBe(20);
  });

  it('returns the defaults when nothing is stored', async () => {
    expect(await getSettings(t.db)).toEqual(DEFAULT_SETTINGS);
  });

  it('writes changed keys and one audit row per change with old and new value', async () => {
    const next = await updateSettings(
      t.db,
      { minImpactDollars: 35, notifySlack: 'digest', spikeMultiplier: 3 },
      'alice',
    );
    expect(next.minImpactDollars).toBe(35);
    expect(next.notifySlack).toBe('digest');
    expect((await getSettings(t.db)).minImpactDollars).toBe(35);
    const audit = await t.db.selectFrom('settings_audit').selectAll().orderBy('id').execute();
    // spikeMultiplier was already 3: no row for it
    expect(audit.map((a) => [a.key, a.old_value, a.new_value, a.changed_by])).toEqual([
      ['minImpactDollars', 20, 35, 'alice'],
      ['notifySlack', 'immediate', 'digest', 'alice'],
    ]);
    await updateSettings(t.db, { minImpactDollars: 40 }, 'bob');
    const last = await t.db.selectFrom('settings_audit').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect([last.old_value, last.new_value, last.changed_by]).toEqual([35, 40, 'bob']);
    const row = await t.db
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', 'minImpactDollars')
      .executeTakeFirstOrThrow();
    expect(row.updated_by).toBe('bob');
  });

  it('refuses bad values, naming each field, and writes nothing', async () => {
    const before = await t.db
      .selectFrom('settings_audit')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const attempt = updateSettings(t.db, { minImpactDollars: -5, notifyEmail: 'sometimes', bogus: 1 }, 'eve');
    await expect(attempt).rejects.toBeInstanceOf(SettingsValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ path: 'bogus', message: 'is not a setting' }] });

    const err = await updateSettings(t.db, { minImpactDollars: -5, notifyEmail: 'sometimes' }, 'eve').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsValidationError);
    const paths = (err as SettingsValidationError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['minImpactDollars', 'notifyEmail']);
    expect((err as Error).message).toContain('minImpactDollars must be at least 0');

    const cross = await updateSettings(t.db, { driftDaysAbove: 9, driftWindowDays: 5 }, 'eve').catch((e: unknown) => e);
    expect((cross as SettingsValidationError).issues).toEqual([
      { path: 'driftDaysAbove', message: 'must not exceed driftWindowDays (5)' },
    ]);

    await expect(updateSettings(t.db, 'nope', 'eve')).rejects.toBeInstanceOf(SettingsValidationError);
    const after = await t.db
      .selectFrom('settings_audit')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect((await getSettings(t.db)).minImpactDollars).toBe(40);
  });

  it('falls back to the default for a stored value the schema no longer accepts', async () => {
    await t.db
      .insertInto('settings')
      .values({ key: 'digestHourUtc', value: JSON.stringify('nine') })
      .execute();
    expect((await getSettings(t.db)).digestHourUtc).toBe(DEFAULT_SETTINGS.digestHourUtc);
  });
});
