import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/config/config';
import {
  customOptions,
  type DashboardJson,
  interpolateSql,
  optionsFromFrames,
  panelRequests,
  queryResults,
  relativeRangeMs,
  resolveVariable,
  variableQuery,
} from '../../../tools/smoke-grafana/dashboard-queries';

// The /api/ds/query bodies the smoke test sends are those Grafana's frontend would send for the dashboards as they
// load: variables resolved and interpolated by the SQL datasource's rules, built-in macros left to the backend.
const load = (uid: string) =>
  JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, `provisioning/dashboards/json/${uid}.json`), 'utf8'),
  ) as DashboardJson;

describe('variables as the frontend resolves them', () => {
  it('custom options: comma list, escaped commas, "text : value" pairs', () => {
    expect(customOptions('5,10, 20,50')).toEqual(['5', '10', '20', '50']);
    expect(customOptions('a\\,b,c')).toEqual(['a,b', 'c']);
    expect(customOptions('Ten : 10,Twenty : 20')).toEqual(['10', '20']);
  });

  it('query options: __value, else __text, else the first column', () => {
    const frame = (fields: string[], values: unknown[][]) => [
      { schema: { fields: fields.map((name) => ({ name })) }, data: { values } },
    ];
    expect(
      optionsFromFrames(
        frame(
          ['__text', '__value'],
          [
            ['Web', 'Data'],
            ['grp_web', 'grp_data'],
          ],
        ),
      ),
    ).toEqual(['grp_web', 'grp_data']);
    expect(optionsFromFrames(frame(['email'], [['a@x', 'b@x']]))).toEqual(['a@x', 'b@x']);
    expect(optionsFromFrames([])).toEqual([]);
  });

  it('an empty saved value falls back to the first option (the user drilldown opens on the first developer)', () => {
    const user = load('cursor-user').templating!.list.find((v) => v.name === 'email')!;
    expect(resolveVariable(user, ['a@x', 'b@x']).value).toBe('a@x');
    const topn = load('cursor-overview').templating!.list.find((v) => v.name === 'topn')!;
    expect(resolveVariable(topn, customOptions(topn.query as string)).value).toBe('10');
  });

  it('interpolates like SqlDatasource.interpolateVariable: quoted lists, a custom all value as is', () => {
    const group = resolveVariable(
      load('cursor-overview').templating!.list.find((v) => v.name === 'group')!,
      ['grp_a'],
    );
    const severity = resolveVariable(
      load('cursor-incidents').templating!.list.find((v) => v.name === 'severity')!,
      ['critical', "o'k"],
    );
    const email = resolveVariable({ name: 'email', type: 'query', current: { value: "o'neil@x" } }, []);
    expect(
      interpolateSql("'__all' IN ($group) AND s IN (${severity}) AND e = '$email' AND $__timeFilter(t) AND [[group]]", {
        group,
        severity,
        email,
      }),
    ).toBe("'__all' IN ('__all') AND s IN ('critical','o''k') AND e = 'o''neil@x' AND $__timeFilter(t) AND '__all'");
  });

  it('a query variable asks /api/ds/query for a table over the dashboard range', () => {
    const v = load('cursor-models').templating!.list.find((x) => x.name === 'model')!;
    expect(variableQuery(v, { from: 'now-30d', to: 'now' })).toEqual({
      queries: [
        {
          refId: 'variable',
          datasource: { type: 'grafana-postgresql-datasource', uid: 'cursor-postgres' },
          rawSql: v.query,
          format: 'table',
          rawQuery: true,
        },
      ],
      from: 'now-30d',
      to: 'now',
    });
  });
});

describe('panel requests', () => {
  const d = load('cursor-overview');
  const variables = Object.fromEntries(
    d.templating!.list.map((v) => [
      v.name,
      resolveVariable(v, v.type === 'custom' ? customOptions(v.query as string) : ['grp_a']),
    ]),
  );
  const requests = panelRequests(d, variables, relativeRangeMs(d.time.from));

  it('one per panel with SQL (rows skipped), over the dashboard default range, variables replaced', () => {
    const withSql = JSON.stringify(d.panels).match(/"rawSql"/g)?.length ?? 0;
    expect(requests.reduce((n, r) => n + r.body.queries.length, 0)).toBe(withSql);
    for (const r of requests) {
      expect([r.body.from, r.body.to]).toEqual(['now-30d', 'now']);
      for (const q of r.body.queries) {
        expect(q.rawSql).not.toMatch(/\$group|\$\{group|\$topn|\$\{topn/);
        expect(q.datasource).toEqual({ type: 'grafana-postgresql-datasource', uid: 'cursor-postgres' });
        expect(q.intervalMs).toBeGreaterThanOrEqual(Math.ceil(relativeRangeMs('now-30d') / 1000));
      }
    }
    expect(requests.map((r) => r.label)).toContain('Cursor: Team overview / Top spenders');
  });

  it("a panel's min interval is the floor of intervalMs", () => {
    const c = load('cursor-collection');
    const hourly = panelRequests(c, {}, relativeRangeMs(c.time.from)).filter((r) =>
      r.body.queries.some((q) => q.intervalMs === 3_600_000),
    );
    expect(hourly.length).toBeGreaterThan(0);
  });

  it('reads /api/ds/query answers: errors per refId and row counts', () => {
    const body = {
      results: {
        A: {
          status: 200,
          frames: [
            {
              schema: { fields: [{ name: 'time' }, { name: 'v' }] },
              data: {
                values: [
                  [1, 2],
                  [3, 4],
                ],
              },
            },
          ],
        },
        B: { status: 400, error: 'db query error: relation "x" does not exist', frames: [] },
      },
    };
    expect(queryResults(body)).toEqual([
      { refId: 'A', error: undefined, rows: 2 },
      { refId: 'B', error: 'db query error: relation "x" does not exist', rows: 0 },
    ]);
  });
});
