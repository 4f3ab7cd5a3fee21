import { Writable } from 'node:stream';
import { createLogger } from '../../src/config/log';
import { finishRun, startRun } from '../../src/collector/runs';
import { formatRunReport } from '../../src/report/format-report';
import { logRunReport } from '../../src/report/log-report';
import { buildRunReport, REPORT_MAX_INCIDENTS } from '../../src/report/run-report';
import { updateSettings } from '../../src/settings';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { seedIncident, seedTeam } from '../api/fixtures';

const NOW = new Date('2026-11-20T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const RUN = '0b6f6d2e-1d4c-4a53-9a39-2f1c8d4e0001';
const ctx = {
  runId: RUN,
  trigger: 'backfill',
  now: NOW,
  apiUrl: 'http://127.0.0.1:8787',
  grafanaUrl: 'http://localhost:3000',
  grafanaConfigured: false,
};
let t: TestDb;

/** One finished collection_runs row, as the collector writes it. */
async function run(
  runId: string,
  endpoint: Parameters<typeof startRun>[1]['endpoint'],
  rows: { fetched: number; new?: number; updated?: number; refused?: number },
  opts: { window?: [Date, Date]; error?: string } = {},
) {
  const id = await startRun(t.db, {
    runId,
    endpoint,
    trigger: 'backfill',
    windowStart: opts.window?.[0],
    windowEnd: opts.window?.[1],
  });
  await finishRun(
    t.db,
    id,
    Date.now(),
    {
      pages: 1,
      rowsFetched: rows.fetched,
      rowsNew: rows.new ?? 0,
      rowsUpdated: rows.updated ?? 0,
      rowsRefused: rows.refused ?? 0,
      rateLimited: 0,
      retries: 0,
    },
    { error: opts.error },
  );
}

beforeAll(async () => {
  t = await createTestDb('report');
  // Four members at $15.00 a day each since 2026-10-12; the cycle Cursor reports starts 2026-11-01.
  await seedTeam(t.db, NOW);
  await updateSettings(t.db, { teamBudgetDollars: 2000 }, 'test');
  await run(RUN, 'members', { fetched: 4, new: 4 });
  await run(RUN, 'spend', { fetched: 4, new: 4 });
  await run(
    RUN,
    'usage_events',
    { fetched: 500, new: 480, refused: 5 },
    { window: [new Date(NOW.getTime() - 30 * D), NOW] },
  );
  await run(RUN, 'audit_logs', { fetched: 0 }, { error: 'HTTP 503 from /teams/audit-logs' });
  await run('0b6f6d2e-1d4c-4a53-9a39-2f1c8d4e0002', 'usage_events', { fetched: 99, new: 99 }); // another pass: not in this report
  // Twelve open incidents (one critical), one resolved.
  for (let i = 0; i < 11; i++)
    await seedIncident(t.db, {
      subject: `dev${String(i).padStart(2, '0')}@example.com`,
      detector: 'personal_spike',
      severity: 'warning',
      onset: new Date(NOW.getTime() - (i + 1) * D),
      impactCents: 5_000 + i * 100,
    });
  await seedIncident(t.db, {
    subject: 'carol@example.com',
    detector: 'model_shift',
    severity: 'critical',
    status: 'alerted',
    onset: new Date(NOW.getTime() - 3 * D - 4 * H),
    impactCents: 30_000,
  });
  await seedIncident(t.db, {
    subject: 'bob@example.com',
    detector: 'sustained_drift',
    status: 'resolved',
    onset: new Date(NOW.getTime() - 20 * D),
    impactCents: 90_000,
  });
});
afterAll(() => dropTestDb(t));

describe('the run summary', () => {
  it('reads what this collection run stored, the cycle forecast and the open incidents from PostgreSQL', async () => {
    const r = await buildRunReport(t.db, ctx);
    expect(r.collected.map((c) => [c.endpoint, c.status, c.rows])).toEqual([
      ['members', 'ok', 4],
      ['spend', 'ok', 4],
      ['usage_events', 'ok', 500],
      ['audit_logs', 'failed', 0],
    ]);
    expect(r.events).toEqual({
      fetched: 500,
      new: 480,
      alreadyStored: 15,
      windowStart: '2026-10-21T12:00:00.000Z',
      windowEnd: '2026-11-20T12:00:00.000Z',
    });
    // Spent: 20 days × 4 × $15 = $1,200; pace: 7 complete days before the 20th = $60/day; 10.5 days left.
    expect(r.cycle).toEqual({
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
      spentCents: 120_000,
      paceCentsPerDay: 6_000,
      forecastCents: 183_000,
      budgetCents: 200_000,
    });
    expect(r.openIncidents.total).toBe(12);
    expect(r.openIncidents.shown).toHaveLength(REPORT_MAX_INCIDENTS);
    expect(r.openIncidents.shown[0]).toMatchObject({ subject: 'carol@example.com', severity: 'critical' });
    // Then by impact: the largest warning first; the resolved one never.
    expect(r.openIncidents.shown[1]).toMatchObject({ subject: 'dev10@example.com', impactCents: 6_000 });
    expect(r.openIncidents.shown.map((i) => i.subject)).not.toContain('bob@example.com');
  });

  it('reads as a block: collected, cycle, one line per incident, where to look next', async () => {
    const text = formatRunReport(await buildRunReport(t.db, ctx));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^── Cursor Cost Watch · first backfill done · 2026-11-20 12:00 UTC ─+$/);
    expect(text).toContain(
      'Collected   500 usage events (480 new, 15 already stored) from 2026-10-21 12:00 to 2026-11-20 12:00 UTC',
    );
    expect(text).toContain('members 4 · spend rows 4');
    expect(text).toContain('FAILED audit events: HTTP 503 from /teams/audit-logs (the next run retries)');
    expect(text).toContain('Cycle       $1,200 spent since 2026-11-01 · $60.00/day over the last 7 days');
    expect(text).toContain('forecast $1,830 by 2026-12-01 (92% of the $2,000 budget)');
    expect(text).toContain('Incidents   12 open, the 10 largest:');
    const carol = lines.find((l) => l.includes('carol@example.com'))!;
    expect(carol).toMatch(
      /critical +carol@example\.com +\$300\.00 +since 2026-11-17 \(3d 4h\) +shift to expensive models +#\d+/,
    );
    expect(lines.filter((l) => /^ {12}(critical|warning|info) /.test(l))).toHaveLength(10);
    expect(text).toContain('Next        http://127.0.0.1:8787/api/incidents');
    expect(text).toContain('npm run build -w plugin && docker compose up -d, then http://localhost:3000');
  });

  it('is one structured record in JSON mode and readable lines in pretty mode, at info level only', async () => {
    const capture = () => {
      const chunks: string[] = [];
      const stream = new Writable({
        write(chunk, _enc, done) {
          chunks.push(String(chunk));
          done();
        },
      });
      return { stream, text: () => chunks.join('') };
    };
    const config = { WORKER_API_HOST: '127.0.0.1', WORKER_API_PORT: 8787, GRAFANA_URL: 'http://localhost:3000' };
    const json = capture();
    await logRunReport(
      { db: t.db, config, log: createLogger('info', 'worker', { format: 'json', stream: json.stream }) },
      ctx,
      NOW,
    );
    const records = json
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ msg: 'run summary', report: { runId: RUN, events: { new: 480 } } });
    expect(records[0].report.openIncidents.total).toBe(12);

    const pretty = capture();
    await logRunReport(
      { db: t.db, config, log: createLogger('info', 'worker', { format: 'pretty', stream: pretty.stream }) },
      ctx,
      NOW,
    );
    expect(pretty.text()).toMatch(/INFO.*summary\n── Cursor Cost Watch · first backfill done/);
    expect(pretty.text()).toContain('forecast $1,830 by 2026-12-01');
    expect(pretty.text()).not.toContain('"report"');

    const quiet = capture();
    const none = await logRunReport(
      { db: t.db, config, log: createLogger('warn', 'worker', { format: 'json', stream: quiet.stream }) },
      ctx,
      NOW,
    );
    expect(none).toBeNull();
    expect(quiet.text()).toBe('');
  });
});
