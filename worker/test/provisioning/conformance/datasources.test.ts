import { loadDashboards, panelQueries } from '../../../tools/grafana-sql/dashboards';
import { provisionedDatasourceUids } from './support/context';
import { checkDatasourceFile, POSTGRES_PLUGIN_ID } from './support/datasources';
import { describe as describeFindings, loadYaml } from './support/findings';

// provisioning/datasources checked as Grafana reads it (support/datasources.ts names each function).
const FILE = 'provisioning/datasources/cursor-postgres.yaml';
const doc = () => structuredClone(loadYaml<{ datasources: Record<string, unknown>[] }>(FILE));

describe('datasource provisioning (datasources/config_reader.go, grafana-postgresql-datasource)', () => {
  it('the provisioned datasource passes: plugin id, uid, jsonData keys, one default', () => {
    expect(describeFindings(checkDatasourceFile(FILE, doc()))).toEqual([]);
    expect(doc().datasources.map((d) => [d.uid, d.type])).toEqual([['cursor-postgres', POSTGRES_PLUGIN_ID]]);
  });

  it('every query of every dashboard names that uid and plugin type', () => {
    const uids = provisionedDatasourceUids();
    const used = loadDashboards().flatMap(({ dashboard }) =>
      panelQueries(dashboard).map((q) => {
        const ds = q.target.datasource ?? q.panel?.datasource;
        return `${ds?.uid ?? '(default)'} ${ds?.type ?? '(none)'}`;
      }),
    );
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used)]).toEqual([`${[...uids][0]} ${POSTGRES_PLUGIN_ID}`]);
  });

  const cases: [string, (ds: Record<string, unknown>, all: Record<string, unknown>[]) => void, RegExp][] = [
    ['the old plugin id [grafana-postgresql-datasource]', (ds) => (ds.type = 'postgres'), /old id/],
    [
      'a jsonData key the plugin does not read [sqleng/sql_engine.go JsonData]',
      (ds) => ((ds.jsonData as Record<string, unknown>).sslMode = 'disable'),
      /jsonData.sslMode is not a setting/,
    ],
    [
      'an unknown sslmode [tlsmanager.go]',
      (ds) => ((ds.jsonData as Record<string, unknown>).sslmode = 'off'),
      /sslmode "off"/,
    ],
    [
      'no database [JsonData.Database]',
      (ds) => delete (ds.jsonData as Record<string, unknown>).database,
      /no database/,
    ],
    ['a uid with a space [util.ValidateUID]', (ds) => (ds.uid = 'cursor postgres'), /characters other than/],
    [
      'two defaults [validateDefaultUniqueness]',
      (ds, all) => all.push({ ...ds, name: 'Second', uid: 'second' }),
      /Only one datasource per organization can be marked as default/,
    ],
    ['an unknown access mode [validateAccessAndOrgID]', (ds) => (ds.access = 'server'), /access "server"/],
    ['a url with a scheme [connection string]', (ds) => (ds.url = 'postgres://postgres:5432'), /is not host:port/],
  ];
  // Each case names, in brackets, the Grafana function whose rule it breaks: the finding must cite it.
  it.each(cases)('refuses %s', (name, change, message) => {
    const d = doc();
    change(d.datasources[0], d.datasources);
    const found = checkDatasourceFile(FILE, d).find((f) => message.test(f.message));
    expect(found?.grafana).toContain(/\[(.+)\]$/.exec(name)?.[1]);
  });
});
