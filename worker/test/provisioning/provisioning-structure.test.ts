import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, configSchema } from '../../src/config/config';
import {
  allPanels,
  DASHBOARD_DIR,
  loadDashboards,
  panelQueries,
  type Dashboard,
  type Panel,
} from '../../tools/grafana-sql/dashboards';
import {
  alertRules,
  composeVariables,
  dockerStages,
  dotenvKeys,
  envReferences,
  provisioningYamlFiles,
  readYaml,
  ruleParts,
} from './support/provisioning-files';

// Checks that need no Grafana, no Docker: the files parse, reference each other correctly and follow Grafana's
// provisioning formats; the compose file, .env.example and the Dockerfile agree.
const dashboards = loadDashboards().map((f) => f.dashboard);
const byUid = new Map(dashboards.map((d) => [d.uid, d]));
const PLUGIN_ID = 'cursorwatch-cost-app';

interface Compose {
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile: string };
      environment?: Record<string, string>;
      env_file?: { path: string; required: boolean }[];
      volumes?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test: string[] };
      ports?: string[];
    }
  >;
  volumes: Record<string, unknown>;
}
const composeText = fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = readYaml<Compose>('docker-compose.yml');
const grafanaEnv = compose.services.grafana.environment ?? {};

// Built-in variables Grafana supplies: in SQL, titles and data links.
const BUILTIN =
  /^__(interval|interval_ms|from|to|range|range_s|range_ms|rate_interval|dashboard|user|org|timezone|value|data|field|series|url_time_range|all_variables|name)$/;
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\${(\w+)(?:\.[^:^}]+)?(?::[^}]+)?}/g;

function variableRefs(text: string): string[] {
  return [...text.matchAll(VARIABLE_RE)]
    .map((m) => m[1] ?? m[2] ?? m[3])
    .filter((n) => !n.startsWith('__') || BUILTIN.test(n));
}

function linksOf(d: Dashboard): string[] {
  const urls: string[] = d.links.filter((l) => l.type === 'link' && l.url).map((l) => l.url as string);
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.url === 'string' && typeof o.title === 'string') urls.push(o.url);
      Object.values(o).forEach(walk);
    }
  };
  walk(d.panels);
  return urls;
}

describe('dashboards', () => {
  it('are the five the other parts link to, each once', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'cursor-collection',
      'cursor-incidents',
      'cursor-models',
      'cursor-overview',
      'cursor-user',
    ]);
    expect(fs.readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))).toHaveLength(5);
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s: panel ids are unique and panels fit the 24-column grid',
    (_uid, d) => {
      const ids = allPanels(d).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of allPanels(d) as (Panel & { gridPos: { x: number; w: number } })[]) {
        expect({ panel: p.title, fits: p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 }).toEqual({
          panel: p.title,
          fits: true,
        });
      }
    },
  );

  it.each(dashboards.map((d) => [d.uid, d] as const))('%s: every datasource is the provisioned one', (_uid, d) => {
    const provisioned = readYaml<{ datasources: { uid: string; type: string }[] }>(
      'provisioning/datasources/cursor-postgres.yaml',
    ).datasources;
    const known = new Map(provisioned.map((ds) => [ds.uid, ds.type]));
    const refs: { uid?: string; type?: string }[] = [];
    for (const p of allPanels(d)) {
      if (p.datasource) refs.push(p.datasource);
      for (const t of p.targets ?? []) if (t.datasource) refs.push(t.datasource);
    }
    for (const v of d.templating.list) if (v.datasource) refs.push(v.datasource);
    for (const a of d.annotations.list) if (a.datasource && !a.builtIn) refs.push(a.datasource);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(known.get(ref.uid ?? '')).toBe(ref.type);
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))('%s: every variable used is defined', (_uid, d) => {
    const defined = new Set(d.templating.list.map((v) => v.name));
    const texts = [
      ...panelQueries(d).map((q) => q.target.rawSql ?? ''),
      ...d.templating.list.map((v) => v.query ?? ''),
      ...allPanels(d).flatMap((p) => [p.title, p.description ?? '']),
      ...linksOf(d),
    ];
    const undefinedRefs = texts.flatMap(variableRefs).filter((n) => !defined.has(n) && !BUILTIN.test(n));
    expect(undefinedRefs).toEqual([]);
  });

  it.each(dashboards.map((d) => [d.uid, d] as const))(
    '%s: every link points to a dashboard that exists, with its variables',
    (_uid, d) => {
      for (const url of linksOf(d)) {
        const m = /^\/d\/([\w-]+)(?:\?(.*))?$/.exec(url);
        expect({ url, internal: m !== null }).toEqual({ url, internal: true });
        const target = byUid.get(m![1]);
        expect({ url, exists: target !== undefined }).toEqual({ url, exists: true });
        for (const [, name] of (m![2] ?? '').matchAll(/var-(\w+)=/g)) {
          expect({ url, variable: name, defined: target!.templating.list.some((v) => v.name === name) }).toEqual({
            url,
            variable: name,
            defined: true,
          });
        }
      }
      for (const l of d.links.filter((x) => x.type === 'dashboards')) {
        expect(
          dashboards.some(
            (o) => o.uid !== d.uid && (o as Dashboard & { tags: string[] }).tags.some((t) => l.tags?.includes(t)),
          ),
        ).toBe(true);
      }
    },
  );

  it('links from tables carry the time range and the developer', () => {
    const userLinks = dashboards.flatMap(linksOf).filter((u) => u.startsWith('/d/cursor-user'));
    expect(userLinks.length).toBeGreaterThanOrEqual(4);
    for (const url of userLinks) expect(url).toBe('/d/cursor-user?var-email=${__value.raw}&${__url_time_range}');
  });

  it('keep Grafana macros and variables out of SQL comments (newer Grafana strips comments first)', () => {
    for (const q of dashboards.flatMap(panelQueries)) {
      const comments = (q.target.rawSql ?? '').match(/--[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
      expect({ panel: q.label, dollarInComment: comments.some((c) => c.includes('$')) }).toEqual({
        panel: q.label,
        dollarInComment: false,
      });
    }
  });

  it('every SQL query has a format, and time series queries name a time column', () => {
    for (const q of dashboards.flatMap(panelQueries)) {
      expect(['table', 'time_series']).toContain(q.target.format);
      if (q.target.format === 'time_series')
        expect({ panel: q.label, sql: /AS "time"|\$__time(GroupAlias)?\(/.test(q.target.rawSql ?? '') }).toEqual({
          panel: q.label,
          sql: true,
        });
    }
  });

  it('panels over more than a day read the rollups, not the raw events', () => {
    const raw = dashboards.flatMap(panelQueries).filter((q) => /\busage_events\b/.test(q.target.rawSql ?? ''));
    // Only the per-user hour-level panel (one user's index range) and the newest-event lag (an index probe).
    expect(raw.map((q) => q.label).sort()).toEqual([
      'Cursor: Collection health / Data lag',
      'Cursor: User drilldown / Spend and requests per interval (raw events)',
    ]);
  });
});

describe('provisioning YAML', () => {
  it('parses, every file with apiVersion 1', () => {
    const files = provisioningYamlFiles();
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) expect({ file: f, apiVersion: readYaml(f).apiVersion }).toEqual({ file: f, apiVersion: 1 });
  });

  it('provisions the Postgres datasource with its fixed uid, as the read-only role', () => {
    const [ds, ...rest] = readYaml<{ datasources: Record<string, unknown>[] }>(
      'provisioning/datasources/cursor-postgres.yaml',
    ).datasources;
    expect(rest).toEqual([]);
    expect(ds).toMatchObject({
      uid: 'cursor-postgres',
      type: 'grafana-postgresql-datasource',
      access: 'proxy',
      user: 'grafana_reader',
      url: 'postgres:5432',
    });
    expect(ds.jsonData).toMatchObject({ database: '${POSTGRES_DB}', sslmode: 'disable' });
    expect(ds.secureJsonData).toEqual({ password: '${GRAFANA_DB_PASSWORD}' });
    expect(fs.readFileSync(path.join(REPO_ROOT, 'sql/004_grafana_reader.sql'), 'utf8')).toMatch(
      /CREATE ROLE grafana_reader/,
    );
  });

  it('provisions the app with the worker URL and the API token from the environment', () => {
    const { apps } = readYaml<{ apps: Record<string, unknown>[] }>('provisioning/plugins/cursorwatch-cost-app.yaml');
    expect(apps).toEqual([
      {
        type: PLUGIN_ID,
        org_id: 1,
        disabled: false,
        jsonData: { workerUrl: '${WORKER_URL}' },
        secureJsonData: { apiToken: '${WORKER_API_TOKEN}' },
      },
    ]);
    const pluginJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'plugin/src/plugin.json'), 'utf8')) as {
      id: string;
      type: string;
    };
    expect(pluginJson).toMatchObject({ id: PLUGIN_ID, type: 'app' });
  });

  it('loads the dashboards from the folder they are in, as mounted in the container', () => {
    const { providers } = readYaml<{ providers: { type: string; options: { path: string } }[] }>(
      'provisioning/dashboards/cursor-cost-watch.yaml',
    );
    expect(providers).toHaveLength(1);
    expect(providers[0].type).toBe('file');
    const mount = compose.services.grafana.volumes?.find((v) => v.startsWith('./provisioning/dashboards:'));
    const containerDir = mount?.split(':')[1] as string;
    expect(providers[0].options.path.startsWith(`${containerDir}/`)).toBe(true);
    const hostDir = path.join(
      REPO_ROOT,
      'provisioning/dashboards',
      path.relative(containerDir, providers[0].options.path),
    );
    expect(hostDir).toBe(DASHBOARD_DIR);
  });

  it('defines Slack, email and webhook contact points from environment variables, with the templates they use', () => {
    const { contactPoints } = readYaml<{
      contactPoints: { name: string; receivers: { uid: string; type: string; settings: Record<string, unknown> }[] }[];
    }>('provisioning/alerting/contact-points.yaml');
    const receivers = contactPoints.flatMap((c) => c.receivers);
    expect(receivers.map((r) => r.type).sort()).toEqual(['email', 'slack', 'webhook']);
    expect(receivers.find((r) => r.type === 'slack')?.settings.url).toBe('${SLACK_WEBHOOK_URL}');
    expect(receivers.find((r) => r.type === 'email')?.settings.addresses).toBe('${ALERT_EMAIL_TO}');
    expect(receivers.find((r) => r.type === 'webhook')?.settings.url).toBe('${ALERT_WEBHOOK_URL}');
    const { templates } = readYaml<{ templates: { name: string; template: string }[] }>(
      'provisioning/alerting/templates.yaml',
    );
    const defined = new Set(templates.flatMap((t) => [...t.template.matchAll(/define "([^"]+)"/g)].map((m) => m[1])));
    const used = receivers
      .flatMap((r) => Object.values(r.settings))
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => [...v.matchAll(/template "([^"]+)"/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(defined).toContain(name);
    // who / what / how much / links
    const text = templates.map((t) => t.template).join('\n');
    for (const piece of ['.Labels.email', '.Labels.detector', '.Annotations.how_much', 'var-email=', '.SilenceURL'])
      expect(text).toContain(piece);
  });

  it.each(['worker', 'grafana'])(
    'policy for ALERTS_VIA=%s routes only to defined contact points and mute timings',
    (mode) => {
      const names = new Set(
        readYaml<{ contactPoints: { name: string }[] }>('provisioning/alerting/contact-points.yaml').contactPoints.map(
          (c) => c.name,
        ),
      );
      const mutes = new Set(
        readYaml<{ muteTimes: { name: string }[] }>('provisioning/alerting/mute-timings.yaml').muteTimes.map(
          (m) => m.name,
        ),
      );
      interface Route {
        receiver?: string;
        routes?: Route[];
        mute_time_intervals?: string[];
        object_matchers?: string[][];
      }
      const { policies } = readYaml<{ policies: Route[] }>(`provisioning/alerting-policies/${mode}.yaml`);
      expect(policies).toHaveLength(1);
      const routes: Route[] = [];
      const walk = (r: Route) => {
        routes.push(r);
        r.routes?.forEach(walk);
      };
      walk(policies[0]);
      for (const r of routes) {
        if (r.receiver) expect(names).toContain(r.receiver);
        for (const m of r.mute_time_intervals ?? []) expect(mutes).toContain(m);
      }
      const children = policies[0].routes ?? [];
      if (mode === 'worker') {
        // Everything muted: one catch-all child route with the always-on mute timing.
        expect(children).toEqual([
          expect.objectContaining({
            object_matchers: [['alertname', '=~', '.+']],
            mute_time_intervals: ['cursor-worker-sends-messages'],
          }),
        ]);
      } else {
        expect(children.every((r) => !r.mute_time_intervals)).toBe(true);
        const bySeverity = (s: string) =>
          children
            .filter((r) => r.object_matchers?.some(([l, , v]) => l === 'severity' && v === s))
            .map((r) => r.receiver);
        expect(bySeverity('critical').sort()).toEqual(['cursor-email', 'cursor-slack', 'cursor-webhook']);
        expect(bySeverity('warning').sort()).toEqual(['cursor-slack', 'cursor-webhook']);
      }
    },
  );

  it('alert rules have the A (SQL) / B (reduce) / C (threshold) shape on the provisioned datasource', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.uid).sort()).toEqual([
      'cursor-collection-stale',
      'cursor-critical-incident-open',
      'cursor-team-forecast-over-budget',
    ]);
    for (const rule of rules) {
      const [a, b, c] = rule.data;
      expect({ rule: rule.uid, steps: rule.data.map((d) => d.refId), condition: rule.condition }).toEqual({
        rule: rule.uid,
        steps: ['A', 'B', 'C'],
        condition: 'C',
      });
      expect(a).toMatchObject({ datasourceUid: 'cursor-postgres', model: { format: 'table', rawQuery: true } });
      expect(b).toMatchObject({
        datasourceUid: '__expr__',
        model: { type: 'reduce', expression: 'A', reducer: 'last' },
      });
      expect(c).toMatchObject({ datasourceUid: '__expr__', model: { type: 'threshold', expression: 'B' } });
      expect((c.model.conditions as unknown[]).length).toBe(1);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(byUid.has(rule.annotations?.__dashboardUid__ ?? '')).toBe(true);
      expect(ruleParts(rule).sql).not.toContain('$');
    }
  });

  it('uses no dollar sign in rules and templates except environment references (Grafana would expand it)', () => {
    for (const f of ['provisioning/alerting/rules.yaml', 'provisioning/alerting/templates.yaml']) {
      const text = fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
      expect({ file: f, dollars: text.match(/\$/g)?.length ?? 0 }).toEqual({ file: f, dollars: 0 });
    }
  });

  it('every environment variable a provisioning file reads is given to Grafana by compose', () => {
    for (const f of provisioningYamlFiles()) {
      const refs = envReferences(fs.readFileSync(path.join(REPO_ROOT, f), 'utf8'));
      for (const name of refs)
        expect({ file: f, variable: name, inGrafanaEnv: name in grafanaEnv }).toEqual({
          file: f,
          variable: name,
          inGrafanaEnv: true,
        });
    }
  });
});

describe('docker compose and .env.example', () => {
  const example = new Set(dotenvKeys('.env.example'));

  it('lists every variable compose uses, and every variable the worker reads, each with a comment', () => {
    const missing = composeVariables(composeText).filter((v) => !example.has(v));
    expect(missing).toEqual([]);
    const workerKeys = Object.keys(configSchema.shape);
    expect(workerKeys.filter((k) => !example.has(k))).toEqual([]);
    const lines = fs.readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z_]+=/.test(line)) {
        // The line above is a comment, or the previous variable's group shares one (SMTP_*).
        let j = i - 1;
        while (j >= 0 && /^[A-Z_]+=/.test(lines[j])) j -= 1;
        expect({ variable: line.split('=')[0], commented: j >= 0 && lines[j].startsWith('#') }).toEqual({
          variable: line.split('=')[0],
          commented: true,
        });
      }
    });
  });

  it('.env.example passes the worker config validation (demo mode)', () => {
    const env = Object.fromEntries(
      fs
        .readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const parsed = configSchema.safeParse(env);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`)).toEqual([]);
  });

  it('runs Postgres of a current major on a named volume with a health check', () => {
    const pg = compose.services.postgres;
    expect(Number(/^postgres:(\d+)/.exec(pg.image ?? '')?.[1])).toBeGreaterThanOrEqual(17);
    const dataVolume = pg.volumes?.find((v) => v.endsWith(':/var/lib/postgresql'))?.split(':')[0];
    expect(dataVolume && dataVolume in compose.volumes).toBe(true);
    expect(pg.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(pg.volumes).toContain('./provisioning/postgres:/docker-entrypoint-initdb.d:ro');
  });

  it('builds the worker, starts it after a healthy Postgres and checks /healthz', () => {
    const w = compose.services.worker;
    expect(w.build).toEqual({ context: '.', dockerfile: 'worker/Dockerfile' });
    expect(w.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(w.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8787/healthz');
    expect(w.environment).toMatchObject({ WORKER_API_HOST: '0.0.0.0', WORKER_API_PORT: '8787' });
    expect(w.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
  });

  it("verifies Grafana's ID tokens with the keys of the Grafana it runs beside, whose root URL is their issuer", () => {
    const w = compose.services.worker.environment ?? {};
    expect(w.GRAFANA_IDENTITY).toBe('${GRAFANA_IDENTITY:-verify}');
    // pkg/services/signingkeys/signingkeysimpl/service.go registerAPIEndpoints, inside the compose network.
    expect(w.GRAFANA_JWKS_URL).toBe('http://grafana:3000/api/signing-keys/keys');
    expect(compose.services.grafana.ports).toContain('${GRAFANA_PORT:-3000}:3000');
    // idimpl SignIdentity: iss = cfg.AppURL = root_url; the worker expects GRAFANA_URL with a trailing slash.
    expect(grafanaEnv.GF_SERVER_ROOT_URL).toBe(w.GRAFANA_URL);
    // No toggle: `idForwarding` was removed in Grafana 11.3 (PR #92209); a leftover one would do nothing.
    expect(String(grafanaEnv.GF_FEATURE_TOGGLES_ENABLE ?? '')).not.toMatch(/idForwarding/);
  });

  it('runs the Grafana version of the plugin packages, with the plugin, provisioning and no anonymous access', () => {
    const g = compose.services.grafana;
    const pluginPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'plugin/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const grafanaData = pluginPkg.dependencies['@grafana/data'].replace(/^[\^~]/, '');
    const image = /^grafana\/grafana:(\d+\.\d+)\.\d+$/.exec(g.image ?? '')?.[1];
    expect(image).toBe(grafanaData.split('.').slice(0, 2).join('.'));
    expect(g.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(g.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS?.split(',')).toContain(PLUGIN_ID);
    expect(g.volumes).toContain(`./plugin/dist:/var/lib/grafana/plugins/${PLUGIN_ID}:ro`);
    for (const dir of ['datasources', 'plugins', 'dashboards'])
      expect(g.volumes).toContain(`./provisioning/${dir}:/etc/grafana/provisioning/${dir}:ro`);
    // Every mounted provisioning file exists, and ALERTS_VIA has a policy and a worker env file for both values.
    for (const v of g.volumes ?? []) {
      const host = v.split(':')[0];
      if (host.startsWith('./provisioning/') && !host.includes('${'))
        expect({ host, exists: fs.existsSync(path.join(REPO_ROOT, host)) }).toEqual({ host, exists: true });
    }
    for (const mode of ['worker', 'grafana']) {
      expect(fs.existsSync(path.join(REPO_ROOT, `provisioning/alerting-policies/${mode}.yaml`))).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, `provisioning/compose/worker-notify-${mode}.env`))).toBe(true);
    }
    const mounted = (g.volumes ?? [])
      .filter((v) => v.includes('/etc/grafana/provisioning/alerting/'))
      .map((v) => path.basename(v.split(':')[0]));
    const onDisk = fs.readdirSync(path.join(REPO_ROOT, 'provisioning/alerting'));
    expect(mounted.filter((f) => !f.includes('${')).sort()).toEqual(onDisk.sort());
  });

  it('in grafana mode, empties exactly the worker channels Grafana then sends to', () => {
    const off = dotenvKeys('provisioning/compose/worker-notify-grafana.env');
    expect(off.sort()).toEqual(['ALERT_EMAIL_TO', 'ALERT_WEBHOOK_URL', 'SLACK_WEBHOOK_URL']);
    expect(dotenvKeys('provisioning/compose/worker-notify-worker.env')).toEqual([]);
    const channels = envReferences(
      fs.readFileSync(path.join(REPO_ROOT, 'provisioning/alerting/contact-points.yaml'), 'utf8'),
    );
    expect(channels).toEqual(off.sort());
  });
});

describe('worker/Dockerfile (read, since no Docker engine runs here)', () => {
  const stages = dockerStages('worker/Dockerfile');
  const final = stages[stages.length - 1];
  const ops = (op: string) => final.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('is multi-stage on Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(/^node:24(-|$)/);
  });

  it('installs production dependencies of the worker workspaces only, from the lockfile', () => {
    const install = stages[0].instructions.find((i) => i.op === 'RUN' && i.args.includes('npm ci'))?.args ?? '';
    expect(install).toContain('--omit=dev');
    expect(install).toContain('--workspace worker');
    const worker = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'worker/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    // `npm start` bundles the worker with esbuild, then runs the bundle; the other CLIs run tsx: both at run time.
    expect(worker.dependencies.esbuild).toBeDefined();
    expect(worker.dependencies.tsx).toBeDefined();
    expect(worker.scripts.start).toMatch(
      /^node src\/cli\/require-node.cjs && node tools\/build\/main.mjs && (MALLOC_ARENA_MAX=\S+ )?exec node (--\S+ )*dist\/cli\/start.cjs$/,
    ); // Node >= 22 checked first, then the bundle built
  });

  it('copies what the worker runs: sources, the contract workspace, migrations, manifests; never .env', () => {
    const copied = ops('COPY').join('\n');
    for (const piece of ['worker/src', 'contract/src', 'sql ./sql', 'worker/package.json', 'package.json'])
      expect(copied).toContain(piece);
    expect(copied).not.toMatch(/\.env/);
    for (const imported of Object.keys(
      (
        JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'worker/package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies,
    )) {
      if (imported.startsWith('@cursor-cost-watch/')) expect(copied).toContain(`${imported.split('/')[1]}/src`);
    }
    const ignore = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
    for (const pattern of ['**/node_modules', '.env', 'worker/test']) expect(ignore.split('\n')).toContain(pattern);
  });

  it('runs as a non-root user with the npm start command and a /healthz check', () => {
    const user = ops('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // What `npm start` runs, without npm between: its last command, the worker's bundle, built in the image.
    const manifest = fs.readFileSync(path.join(REPO_ROOT, 'worker/package.json'), 'utf8');
    const { start } = (JSON.parse(manifest) as { scripts: Record<string, string> }).scripts;
    const launched = /exec (node .*)$/.exec(start)![1].split(' ');
    expect(JSON.parse(ops('CMD').at(-1)!)).toEqual(launched);
    expect(launched.at(-1)).toBe('dist/cli/start.cjs');
    expect(ops('RUN').join('\n')).toContain('node tools/build/main.mjs');
    expect(ops('ENV').join('\n')).toContain('MALLOC_ARENA_MAX=2'); // as `npm start` sets it
    expect(ops('EXPOSE')).toContain('8787');
    expect(ops('HEALTHCHECK').join(' ')).toContain('/healthz');
    // USER comes before CMD: the process never starts as root.
    const order = final.instructions.map((i) => i.op);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.lastIndexOf('CMD'));
  });
});
