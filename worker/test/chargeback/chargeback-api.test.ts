import { chargebackReportSchema } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { startTestApi, TOKEN, type TestApi } from '../api/support';

/**
 * GET /api/chargeback on a small hand-made history (the API's clock: 2026-11-20T12:00Z; cycles start on the 17th):
 * alice moves from Platform to a group whose name needs CSV quoting on the 20th, eve's group was deleted (Cursor then
 * files its usage under Unassigned), carol was never listed in a group.
 */
describe('GET /api/chargeback', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api?.close());

  it('says when nothing has been collected yet', async () => {
    const res = await api.call('GET', '/api/chargeback');
    expect(res.status).toBe(404);
    expect(res.json.message).toMatch(/No billing cycle has been collected yet/);
  });

  describe('with data', () => {
    beforeAll(async () => {
      const db = api.t.db;
      await sql`INSERT INTO members (email, name) VALUES ('alice@example.com', 'Alice Lane'),
        ('bob@example.com', '=HYPERLINK("http://evil.example"), "Bob"'), ('carol@example.com', NULL),
        ('eve@example.com', 'Eve')`.execute(db);
      await sql`INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents) VALUES
        ('alice@example.com', '2026-10-17T00:00:00Z', 0, 1000), ('alice@example.com', '2026-11-17T00:00:00Z', 300, 2300),
        ('bob@example.com', '2026-11-17T00:00:00Z', 0, 700)`.execute(db);
      await sql`INSERT INTO billing_groups (group_id, name) VALUES ('grp-a', 'Platform'), ('grp-b', 'Data, "Science"')`.execute(
        db,
      );
      await sql`INSERT INTO member_group_days (email, day, group_id) VALUES
        ('alice@example.com', '2026-11-17', 'grp-a'), ('alice@example.com', '2026-11-18', 'grp-a'),
        ('alice@example.com', '2026-11-20', 'grp-b'), ('bob@example.com', '2026-11-17', 'grp-a'),
        ('eve@example.com', '2026-11-18', 'grp-gone')`.execute(db);
      const kind = (email: string, day: string, k: string, cents: number, events: number) =>
        sql`INSERT INTO user_kind_daily_rollup (user_email, day, kind, charged_cents, events, requests_costs)
            VALUES (${email}, ${day}::date, ${k}, ${cents}, ${events}, ${events})`.execute(db);
      const model = (email: string, day: string, m: string, cents: number) =>
        sql`INSERT INTO user_model_daily_rollup (user_email, day, model, charged_cents, events)
            VALUES (${email}, ${day}::date, ${m}, ${cents}, 1)`.execute(db);
      await kind('alice@example.com', '2026-10-20', 'Included in Business', 1000, 10); // the previous cycle
      await kind('alice@example.com', '2026-11-17', 'Included in Business', 1200, 12);
      await kind('alice@example.com', '2026-11-18', 'Included in Business', 800, 8);
      await kind('alice@example.com', '2026-11-20', 'Usage-based', 300, 3);
      await kind('alice@example.com', '2026-11-20', 'Errored, Not Charged', 0, 2);
      await kind('bob@example.com', '2026-11-17', 'Included in Business', 700, 7);
      await kind('carol@example.com', '2026-11-19', 'Included in Business', 400, 4);
      await kind('eve@example.com', '2026-11-18', 'Included in Business', 600, 6);
      await model('alice@example.com', '2026-11-17', 'claude-4.5-sonnet', 1200);
      await model('alice@example.com', '2026-11-18', 'gpt-5', 800);
      await model('alice@example.com', '2026-11-20', 'claude-4-opus', 300);
      await model('bob@example.com', '2026-11-17', 'gpt-5', 700);
      await model('carol@example.com', '2026-11-19', 'gpt-5', 400);
      await model('eve@example.com', '2026-11-18', 'gpt-5', 600);
    });

    it('reports the latest cycle per group and developer, each day in that day’s group', async () => {
      const res = await api.call('GET', '/api/chargeback');
      expect(res.status).toBe(200);
      const r = chargebackReportSchema.parse(res.json);
      expect([r.cycle, r.cycleEnd, r.closed, r.cycles]).toEqual([
        '2026-11-17',
        '2026-12-16',
        false,
        ['2026-11-17', '2026-10-17'],
      ]);
      expect(r.team).toEqual({
        totalCents: 4000,
        includedCents: 3700,
        usageBasedCents: 300,
        requests: 42,
        developers: 4,
        topModels: [
          { model: 'gpt-5', cents: 2500, sharePct: 62.5 },
          { model: 'claude-4.5-sonnet', cents: 1200, sharePct: 30 },
          { model: 'claude-4-opus', cents: 300, sharePct: 7.5 },
        ],
      });
      expect(r.cursor).toMatchObject({ overallCents: 3000, onDemandCents: 300 });
      expect(r.groups.map((g) => [g.groupId, g.name, g.totalCents, g.shareOfTeamPct])).toEqual([
        ['grp-a', 'Platform', 2700, 67.5],
        [null, 'Unassigned', 1000, 25],
        ['grp-b', 'Data, "Science"', 300, 7.5],
      ]);
      const platform = r.groups[0];
      expect(platform.developers.map((d) => [d.email, d.totalCents, d.days, d.shareOfGroupPct])).toEqual([
        ['alice@example.com', 2000, 2, 74.07],
        ['bob@example.com', 700, 1, 25.93],
      ]);
      expect(platform.topModels[0]).toEqual({ model: 'gpt-5', cents: 1500, sharePct: 55.56 });
      const data = r.groups[2].developers;
      expect(data).toEqual([
        expect.objectContaining({
          email: 'alice@example.com',
          totalCents: 300,
          includedCents: 0,
          usageBasedCents: 300,
          requests: 5, // errored calls count as requests, at no cost
          days: 1,
          topModels: [{ model: 'claude-4-opus', cents: 300, sharePct: 100 }],
        }),
      ]);
      expect(r.groups[1].developers.map((d) => [d.email, d.name])).toEqual([
        ['eve@example.com', 'Eve'], // a deleted group's usage is Unassigned, as Cursor does
        ['carol@example.com', null],
      ]);
    });

    it('reports a closed cycle when asked', async () => {
      const r = chargebackReportSchema.parse((await api.call('GET', '/api/chargeback?cycle=2026-10-17')).json);
      expect([r.cycle, r.cycleEnd, r.closed, r.team.totalCents, r.groups.map((g) => g.name)]).toEqual([
        '2026-10-17',
        '2026-11-16',
        true,
        1000,
        ['Unassigned'],
      ]);
    });

    it.each([
      [
        'cycle=2026-11-18',
        'query.cycle',
        /2026-11-18 is not the first day of a billing cycle: .* day 17 .* starts on 2026-11-17/,
      ],
      ['cycle=2026-11-31', 'query.cycle', /must be a day as YYYY-MM-DD/],
      ['cycle=17-11-2026', 'query.cycle', /must be a day as YYYY-MM-DD/],
      ['format=xlsx', 'query.format', /must be json or csv/],
    ])('refuses %s with a 400 naming the field', async (query, path, message) => {
      const res = await api.call('GET', `/api/chargeback?${query}`);
      expect(res.status).toBe(400);
      expect(res.json.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
    });

    it('downloads CSV with quoting and without formulas from names', async () => {
      const res = await fetch(`${api.url}/api/chargeback?format=csv&cycle=2026-11-17`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="cursor-chargeback-2026-11-17.csv"');
      const lines = (await res.text()).split('\r\n');
      expect(lines.slice(1, 5)).toEqual([
        '2026-11-17,2026-12-16,team,,,,40.00,37.00,3.00,42,100,,gpt-5 62.5%; claude-4.5-sonnet 30.0%; claude-4-opus 7.5%',
        '2026-11-17,2026-12-16,group,Platform,,,27.00,27.00,0.00,27,67.5,100,gpt-5 55.6%; claude-4.5-sonnet 44.4%',
        '2026-11-17,2026-12-16,developer,Platform,alice@example.com,Alice Lane,20.00,20.00,0.00,20,50,74.07,claude-4.5-sonnet 60.0%; gpt-5 40.0%',
        `2026-11-17,2026-12-16,developer,Platform,bob@example.com,"'=HYPERLINK(""http://evil.example""), ""Bob""",7.00,7.00,0.00,7,17.5,25.93,gpt-5 100.0%`,
      ]);
      expect(lines).toContain(
        '2026-11-17,2026-12-16,group,"Data, ""Science""",,,3.00,0.00,3.00,5,7.5,100,claude-4-opus 100.0%',
      );
      expect(lines[lines.length - 1]).toBe(''); // every record ends with CRLF
    });
  });
});
