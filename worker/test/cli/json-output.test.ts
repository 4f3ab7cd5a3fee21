import { spawnCli } from '../support/child';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

/** `--json` commands are piped into jq and scripts: stdout holds only JSON, every log line goes to stderr. */
describe('--json commands', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('clijson');
  });
  afterAll(async () => dropTestDb(t));

  const env = () => ({ DATABASE_URL: t.url, LOG_LEVEL: 'debug', LOG_FORMAT: 'json', CURSOR_ADMIN_API_KEY: undefined });

  it('backtest --json prints one JSON object on stdout and nothing else', async () => {
    const run = spawnCli('backtest.ts', env(), ['--days', '3', '--end', '2026-11-20', '--json']);
    expect(await run.exited).toBe(0);
    const result = JSON.parse(run.stdout());
    expect(result).toMatchObject({ days: 3, from: '2026-11-18', to: '2026-11-20', total: 0, incidents: [] });
    for (const line of run.stderr().split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('level');
    expect(run.stderr()).toContain(
      'no usage collected yet: nothing to replay (run `npm run collect` or `npm start` first)',
    );
  }, 120_000);

  it('detect --json keeps stdout to JSON records (none here) with the logs on stderr', async () => {
    const run = spawnCli('detect.ts', env(), ['--as-of', '2026-11-20', '--json']);
    expect(await run.exited).toBe(0);
    for (const line of run.stdout().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(run.stdout()).not.toContain('"level"');
    expect(run.stderr()).toContain('"level"');
    // Nothing collected yet: it says so rather than report a quiet team.
    expect(run.stderr()).toContain(
      'no usage collected yet: nothing to detect (run `npm run collect` or `npm start` first)',
    );
  }, 120_000);

  it('detect says when the usage it has is older than its window', async () => {
    await t.db
      .insertInto('user_daily_rollup')
      .values({ user_email: 'dev@example.com', day: '2026-01-05', events: 3, charged_cents: 120 })
      .execute();
    const run = spawnCli('detect.ts', env(), ['--as-of', '2026-11-20']);
    expect(await run.exited).toBe(0);
    expect(run.stdout() + run.stderr()).toMatch(/no usage in the \d+ days up to 2026-11-20: nothing to detect"/);
    expect(run.stdout() + run.stderr()).not.toContain('npm run collect');
    // A day before the first collected: says when that is.
    const before = spawnCli('detect.ts', env(), ['--as-of', '2026-01-01']);
    expect(await before.exited).toBe(0);
    expect(before.stdout() + before.stderr()).toContain(
      'no usage collected up to 2026-01-01 (the first is on 2026-01-05): nothing to detect',
    );
  }, 120_000);

  it('says what is wrong with LOG_FORMAT', async () => {
    const run = spawnCli('backtest.ts', { ...env(), LOG_FORMAT: 'fancy' }, ['--days', '3', '--json']);
    expect(await run.exited).not.toBe(0);
    expect(run.stderr()).toContain('LOG_FORMAT must be "json" or "pretty" (got "fancy")');
  }, 120_000);
});
