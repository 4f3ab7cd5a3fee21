import { asString, collector, type Finding, isRecord, uidProblem } from './findings';

// Datasource provisioning as Grafana reads it:
// - pkg/services/provisioning/datasources/config_reader.go: readConfig, validateDefaultUniqueness, validateAccessAndOrgID
// - pkg/services/datasources (AddDataSource): util.ValidateUID on a given uid
// - pkg/tsdb/grafana-postgresql-datasource/sqleng/sql_engine.go: JsonData, the jsonData keys the backend reads

/** The id of Grafana 13's core PostgreSQL plugin (pkg/tsdb/grafana-postgresql-datasource). */
export const POSTGRES_PLUGIN_ID = 'grafana-postgresql-datasource';

/** sqleng.JsonData json tags, plus postgresVersion, which only the query editor reads (macros it offers). */
export const POSTGRES_JSON_DATA_KEYS = new Set([
  'maxOpenConns',
  'maxIdleConns',
  'connMaxLifetime',
  'connectionTimeout',
  'timescaledb',
  'sslmode',
  'tlsConfigurationMethod',
  'tlsSkipVerify',
  'sslRootCertFile',
  'sslCertFile',
  'sslKeyFile',
  'timezone',
  'encrypt',
  'servername',
  'timeInterval',
  'database',
  'enableSecureSocksProxy',
  'secureSocksProxyUsername',
  'allowCleartextPasswords',
  'authenticationType',
  'postgresVersion',
]);

// tlsmanager.go / pgx connection string: the modes libpq understands.
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export function checkDatasourceFile(file: string, doc: unknown): Finding[] {
  const { findings, report } = collector(file);
  if (!isRecord(doc))
    return [{ file, where: '', message: 'is not a mapping', grafana: 'config_reader.go parseDatasourceConfig' }];
  if (Number(doc.apiVersion ?? 0) < 1)
    report('apiVersion', 'apiVersion 0 is the deprecated format', 'config_reader.go parseDatasourceConfig');
  const defaults = new Map<number, number>();
  const list = Array.isArray(doc.datasources) ? doc.datasources : [];
  list.forEach((ds: unknown, i: number) => {
    const at = `datasources[${i}]${isRecord(ds) && ds.name ? ` (${asString(ds.name)})` : ''}`;
    if (!isRecord(ds)) return report(at, 'is not a mapping', 'config_reader.go');
    if (!asString(ds.name)) report(at, 'has no name', 'datasources provisioner (name is the key)');
    const org = Number(ds.orgId ?? 1) || 1;
    if (ds.isDefault === true) {
      defaults.set(org, (defaults.get(org) ?? 0) + 1);
      if (defaults.get(org) === 2)
        report(
          at,
          'datasource.yaml config is invalid. Only one datasource per organization can be marked as default',
          'config_reader.go validateDefaultUniqueness',
        );
    }
    const access = asString(ds.access || 'proxy');
    if (access !== 'proxy' && access !== 'direct')
      report(at, `access "${access}" is not proxy or direct`, 'config_reader.go validateAccessAndOrgID');
    const uid = asString(ds.uid);
    const uidError = uid ? uidProblem(uid) : 'has no uid: dashboards and alert rules could not refer to it';
    if (uidError) report(at, uidError, 'datasources service AddDataSource (util.ValidateUID)');
    const type = asString(ds.type);
    if (type === 'postgres')
      report(
        at,
        `type "postgres" is the old id: Grafana 13's plugin is ${POSTGRES_PLUGIN_ID}`,
        'pkg/tsdb/grafana-postgresql-datasource',
      );
    if (type !== POSTGRES_PLUGIN_ID) return;
    const jsonData = isRecord(ds.jsonData) ? ds.jsonData : {};
    for (const key of Object.keys(jsonData))
      if (!POSTGRES_JSON_DATA_KEYS.has(key))
        report(at, `jsonData.${key} is not a setting the PostgreSQL datasource reads`, 'sqleng/sql_engine.go JsonData');
    if (!asString(jsonData.database) && !asString(ds.database))
      report(at, 'no database (jsonData.database)', 'sqleng/sql_engine.go JsonData.Database');
    if (jsonData.sslmode !== undefined && !SSL_MODES.includes(asString(jsonData.sslmode)))
      report(
        at,
        `sslmode "${asString(jsonData.sslmode)}" is not one of ${SSL_MODES.join(', ')}`,
        'grafana-postgresql-datasource tlsmanager.go',
      );
    if (!/^[^:/]+:\d+$/.test(asString(ds.url)))
      report(at, `url "${asString(ds.url)}" is not host:port`, 'grafana-postgresql-datasource connection string');
    const secure = isRecord(ds.secureJsonData) ? ds.secureJsonData : {};
    if (!asString(ds.user) || !asString(secure.password))
      report(at, 'needs user and secureJsonData.password', 'grafana-postgresql-datasource connection string');
  });
  return findings;
}
