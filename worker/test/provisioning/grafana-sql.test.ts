import {
  expandGrafanaSql,
  expandMacros,
  formatInterval,
  interpolateGlobals,
  panelIntervalMs,
  parseInterval,
  replaceVariables,
  rfc3339Nano,
} from '../../tools/grafana-sql/grafana-sql';

// Cases follow Grafana's own tests (pkg/tsdb/grafana-postgresql-datasource/macros_test.go and the SQL
// datasource's interpolateVariable tests), so the checker expands SQL the way Grafana does.
const from = new Date('2018-04-12T18:00:00Z');
const to = new Date('2018-04-12T18:05:00Z');
const range = { from, to };

describe('Postgres macros', () => {
  it.each([
    ['select $__time(time_column)', 'select time_column AS "time"'],
    ['select min($__time(time_column))', 'select min(time_column AS "time")'],
    ['select $__timeEpoch(time_column)', 'select extract(epoch from time_column) as "time"'],
    ['WHERE $__timeFilter(time_column)', "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"],
    ['select $__timeFrom()', "select '2018-04-12T18:00:00Z'"],
    ['select $__timeTo()', "select '2018-04-12T18:05:00Z'"],
    ["SELECT $__timeGroup(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300'],
    ["SELECT $__timeGroupAlias(time_column,'5m')", 'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'],
    ["$__timeGroup(time_column , '5m')", 'floor(extract(epoch from time_column)/300)*300'],
    ["SELECT $__timeGroup(time_column,'1d')", 'SELECT floor(extract(epoch from time_column)/86400)*86400'],
    ["SELECT $__timeGroup(time_column,'20ms')", 'SELECT floor(extract(epoch from time_column)/0.02)*0.02'],
    ['select $__unixEpochFilter(time)', 'select time >= 1523556000 AND time <= 1523556300'],
    ['select $__unixEpochNanoFilter(time)', 'select time >= 1523556000000000000 AND time <= 1523556300000000000'],
    ['select $__unixEpochNanoFrom()', 'select 1523556000000000000'],
    [
      "SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')",
      'SELECT floor((time_column+time_adjustment)/300)*300',
    ],
    ["SELECT $__unixEpochGroupAlias(t,'5m')", 'SELECT floor((t)/300)*300 AS "time"'],
  ])('%s', (sql, expected) => {
    expect(expandMacros(sql, range)).toBe(expected);
  });

  it('adds the alias to a $__timeGroup followed by a comma (pre-5.3 compatibility) and only then', () => {
    expect(expandMacros("SELECT $__timeGroup(time_column,'5m'), value", range)).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value',
    );
    expect(expandMacros("SELECT $__timeGroup(time_column,'5m') as time, value", range)).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 as time, value',
    );
  });

  it('prints times as Go RFC3339Nano: UTC, Z, fraction without trailing zeros', () => {
    expect(rfc3339Nano(new Date('1960-02-01T07:00:00.500Z'))).toBe('1960-02-01T07:00:00.5Z');
    expect(rfc3339Nano(new Date('2026-11-26T10:11:12.120Z'))).toBe('2026-11-26T10:11:12.12Z');
    expect(
      expandMacros('WHERE $__timeFilter(t)', {
        from: new Date('1960-02-01T07:00:00.5Z'),
        to: new Date('1980-02-03T08:00:00.5Z'),
      }),
    ).toBe("WHERE t BETWEEN '1960-02-01T07:00:00.5Z' AND '1980-02-03T08:00:00.5Z'");
    expect(
      expandMacros('select $__unixEpochFilter(time)', {
        from: new Date('1960-02-01T07:00:00Z'),
        to: new Date('1965-02-03T08:00:00Z'),
      }),
    ).toBe('select time >= -312915600 AND time <= -154886400');
  });

  it('rejects what Grafana rejects, naming the problem', () => {
    expect(() => expandMacros('SELECT $__timeGroupp(t, 1m)', range)).toThrow('unknown macro "__timeGroupp"');
    expect(() => expandMacros('SELECT $__timeGroup(t)', range)).toThrow('needs time column and interval');
    expect(() => expandMacros("SELECT $__timeGroup(t, 'often')", range)).toThrow("error parsing interval 'often'");
    expect(() => expandMacros("SELECT $__timeGroup(t, '5m', sometimes)", range)).toThrow(
      'error parsing fill value sometimes',
    );
    expect(expandMacros("SELECT $__timeGroup(t, '5m', NULL)", range)).toBe(
      'SELECT floor(extract(epoch from t)/300)*300',
    );
    expect(expandMacros("SELECT $__timeGroup(t, '5m', 0)", range)).toBe('SELECT floor(extract(epoch from t)/300)*300');
  });
});

describe('global substitutions and intervals', () => {
  it('replaces $__interval_ms before $__interval, and the epoch bounds', () => {
    expect(interpolateGlobals('$__interval_ms $__interval $__unixEpochFrom() $__unixEpochTo()', range, 600_000)).toBe(
      '600000 10m 1523556000 1523556300',
    );
  });

  it('formats and parses intervals like gtime', () => {
    expect([500, 1000, 90_000, 3_600_000, 86_400_000, 7 * 86_400_000, 400 * 86_400_000].map(formatInterval)).toEqual([
      '500ms',
      '1s',
      '1m',
      '1h',
      '1d',
      '7d',
      '1y',
    ]);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(parseInterval('1w')).toBe(604_800_000);
    expect(parseInterval('2d')).toBe(172_800_000);
    expect(parseInterval('1M', new Date('2026-02-01T00:00:00Z'))).toBe(28 * 86_400_000);
    expect(() => parseInterval('5 minutes')).toThrow('error parsing interval');
  });

  it('derives $__interval from the range and max data points, floored by the panel min interval', () => {
    const day = { from: new Date('2026-11-25T00:00:00Z'), to: new Date('2026-11-26T00:00:00Z') };
    expect(panelIntervalMs(day)).toBe(60_000); // 86.4 s raw → 1m
    expect(panelIntervalMs(day, 1000, 3_600_000)).toBe(3_600_000);
  });
});

describe('dashboard variables (frontend)', () => {
  const vars = {
    email: { value: "o'brien@example.com" },
    group: { value: ['grp_web', "it's"], multi: true, includeAll: true },
    one: { value: 'critical', multi: true },
    all: { value: ['$__all'], multi: true, includeAll: true, allValue: "'__all'", options: ['a', 'b'] },
    models: { value: ['$__all'], multi: true, includeAll: true, options: ['gpt-5', 'auto'] },
    topn: { value: '10' },
  };

  it('leaves a single value unquoted and doubles its quotes', () => {
    expect(replaceVariables("WHERE e = '$email'", vars)).toBe("WHERE e = 'o''brien@example.com'");
  });

  it("quotes multi-value selections as 'a','b' and a single value of a multi variable too", () => {
    expect(replaceVariables('IN ($group)', vars)).toBe("IN ('grp_web','it''s')");
    expect(replaceVariables('IN ($one)', vars)).toBe("IN ('critical')");
  });

  it('expands All to every option, or to the custom all value unformatted', () => {
    expect(replaceVariables('IN ($models)', vars)).toBe("IN ('gpt-5','auto')");
    expect(replaceVariables("'__all' IN ($all)", vars)).toBe("'__all' IN ('__all')");
  });

  it('accepts the ${var}, ${var:format} and [[var]] forms', () => {
    expect(replaceVariables('LIMIT ${topn}', vars)).toBe('LIMIT 10');
    expect(replaceVariables('LIMIT [[topn]]', vars)).toBe('LIMIT 10');
    expect(replaceVariables('${group:csv}', vars)).toBe("grp_web,it's");
    expect(replaceVariables('${group:sqlstring}', vars)).toBe("'grp_web','it''s'");
    expect(replaceVariables('${group:singlequote}', vars)).toBe("'grp_web','it\\'s'");
    expect(() => replaceVariables('${group:lucene}', vars)).toThrow('Unsupported variable format ":lucene"');
  });

  it('leaves macros and unknown names for the backend', () => {
    expect(replaceVariables('$__timeFilter(t) AND $unknown', vars)).toBe('$__timeFilter(t) AND $unknown');
  });

  it('runs the three steps in order for a panel', () => {
    const sql =
      "SELECT $__timeGroupAlias(t, $__interval), count(*) FROM e WHERE $__timeFilter(t) AND u = '$email' AND m IN ($models) GROUP BY 1";
    expect(expandGrafanaSql(sql, { range, intervalMs: 300_000, variables: vars })).toBe(
      'SELECT floor(extract(epoch from t)/300)*300 AS "time", count(*) FROM e ' +
        "WHERE t BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z' AND u = 'o''brien@example.com' AND m IN ('gpt-5','auto') GROUP BY 1",
    );
  });

  it('skips the frontend for alert rules: only the backend replaces $__interval there', () => {
    expect(
      expandGrafanaSql('SELECT $__interval_ms, $email', {
        range,
        intervalMs: 60_000,
        variables: vars,
        backendOnly: true,
      }),
    ).toBe('SELECT 60000, $email');
  });
});
