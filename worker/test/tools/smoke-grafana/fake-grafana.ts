import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../src/config/config';

// A stand-in Grafana 13 on 127.0.0.1 for the smoke test's own tests, answering with the shapes of Grafana's real
// handlers (named per route) and holding what the provisioning files provision. Its plugin proxy follows
// pkg/api/pluginproxy/pluginproxy.go HandleRequest independently of the tool's code (a regex per route), and
// stands in for the worker behind it: reads 200, writes with invalid input 400 invalid_request.

export interface FakeOptions {
  /** The proxy forgets reqRole (a Grafana that would let a Viewer change settings). */
  ignoreRoles?: boolean;
  /** /api/v1/eval answers this refId with an error. */
  failEvalRefId?: string;
  /** /api/search puts this dashboard in another folder. */
  misplacedDashboard?: string;
  /** A stack that has collected nothing yet: no incidents, no members. */
  empty?: boolean;
}

const read = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
const yaml = <T>(rel: string) => parse(read(rel)) as T;
const RANK = ['Viewer', 'Editor', 'Admin'];

export async function fakeGrafana(admin: { user: string; password: string }, opts: FakeOptions = {}) {
  const users = new Map<string, { id: number; password: string; role: string }>([
    [admin.user, { id: 1, password: admin.password, role: 'Admin' }],
  ]);
  const requests: { method: string; url: string; user: string; body: unknown }[] = [];
  const dashboards = fs
    .readdirSync(path.join(REPO_ROOT, 'provisioning/dashboards/json'))
    .map((f) => JSON.parse(read(`provisioning/dashboards/json/${f}`)) as { uid: string; title: string });
  const rulesFile = yaml<{ groups: { name: string; folder: string; rules: Record<string, unknown>[] }[] }>(
    'provisioning/alerting/rules.yaml',
  );
  const plugin = JSON.parse(read('plugin/src/plugin.json')) as {
    routes: { path: string; method?: string; reqRole?: string }[];
  };

  const handle = (method: string, url: URL, user: { role: string }, body: unknown): [number, unknown] => {
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (p === '/api/health') return [200, { database: 'ok', version: '13.2.3' }]; // pkg/api/health.go
    if ((m = /^\/api\/datasources\/uid\/([^/]+)(\/health)?$/.exec(p))) {
      if (m[1] !== 'cursor-postgres') return [404, { message: 'Data source not found' }];
      return m[2]
        ? [200, { status: 'OK', message: 'Database Connection OK' }]
        : [200, { uid: m[1], type: 'grafana-postgresql-datasource' }];
    }
    if (p === '/api/search')
      return [
        200,
        dashboards.map((d) => ({
          uid: d.uid,
          title: d.title,
          type: 'dash-db',
          folderUid: 'cursor-cost-watch',
          folderTitle: d.uid === opts.misplacedDashboard ? 'General' : 'Cursor Cost Watch',
        })),
      ];
    if ((m = /^\/api\/dashboards\/uid\/(.+)$/.exec(p))) {
      const d = dashboards.find((x) => x.uid === m![1]);
      return d
        ? [200, { dashboard: d, meta: { folderUid: 'cursor-cost-watch', folderTitle: 'Cursor Cost Watch' } }]
        : [404, { message: 'Dashboard not found' }];
    }
    if (p === '/api/ds/query' && method === 'POST') {
      // pkg/api/ds_query.go: one result per refId; Postgres refuses a dashboard variable left in the SQL.
      const queries = (body as { queries: { refId: string; rawSql: string }[] }).queries;
      const results = Object.fromEntries(
        queries.map((q) => {
          if (q.refId === 'variable')
            return [
              q.refId,
              {
                status: 200,
                frames: [
                  {
                    schema: { fields: [{ name: 'email' }] },
                    data: { values: [['dev00001@example.com', 'dev00002@example.com']] },
                  },
                ],
              },
            ];
          const left = /\$(?!__)[a-zA-Z]\w*|\[\[\w+/.exec(q.rawSql);
          if (left)
            return [
              q.refId,
              { status: 400, error: `db query error: syntax error at or near "${left[0]}"`, frames: [] },
            ];
          return [q.refId, { status: 200, frames: [{ schema: { fields: [{ name: 'v' }] }, data: { values: [[1]] } }] }];
        }),
      );
      return [Object.values(results).some((r) => (r as { error?: string }).error) ? 207 : 200, { results }];
    }
    if (p === '/api/v1/provisioning/alert-rules')
      // ngalert api_provisioning.go RouteGetAlertRules
      return [
        200,
        rulesFile.groups.flatMap((g) =>
          g.rules.map((r) => ({ ...r, folderUID: 'alerts-folder', ruleGroup: g.name, provenance: 'file' })),
        ),
      ];
    if (p === '/api/folders/alerts-folder') return [200, { uid: 'alerts-folder', title: rulesFile.groups[0].folder }];
    if (p === '/api/v1/eval' && method === 'POST') {
      const data = (body as { data: { refId: string; datasourceUid: string }[] }).data;
      if (data.some((q) => !['cursor-postgres', '__expr__'].includes(q.datasourceUid)))
        return [400, { message: 'invalid queries or expressions' }];
      return [
        200,
        {
          results: Object.fromEntries(
            data.map((q) => [
              q.refId,
              q.refId === opts.failEvalRefId
                ? { status: 500, error: 'db query error: boom' }
                : { status: 200, frames: [] },
            ]),
          ),
        },
      ];
    }
    if (p === '/api/v1/provisioning/contact-points')
      return [
        200,
        yaml<{ contactPoints: { name: string; receivers: { uid: string; type: string }[] }[] }>(
          'provisioning/alerting/contact-points.yaml',
        ).contactPoints.flatMap((c) => c.receivers.map((r) => ({ uid: r.uid, name: c.name, type: r.type }))),
      ];
    if (p === '/api/v1/provisioning/policies')
      return [200, yaml<{ policies: unknown[] }>('provisioning/alerting-policies/worker.yaml').policies[0]];
    if (p === '/api/v1/provisioning/mute-timings')
      return [200, yaml<{ muteTimes: unknown[] }>('provisioning/alerting/mute-timings.yaml').muteTimes];
    if (p === '/api/v1/provisioning/templates')
      return [200, yaml<{ templates: unknown[] }>('provisioning/alerting/templates.yaml').templates];
    if (p === '/api/plugins/cursorwatch-cost-app/settings')
      return [
        200,
        { enabled: true, jsonData: { workerUrl: 'http://worker:8787' }, secureJsonFields: { apiToken: true } },
      ];
    if (p === '/api/admin/users' && method === 'POST') {
      // pkg/api/admin_users.go AdminCreateUser
      const b = body as { login: string; password: string };
      if (users.has(b.login)) return [412, { message: 'User already exists' }];
      users.set(b.login, { id: users.size + 1, password: b.password, role: 'Viewer' });
      return [200, { id: users.size, message: 'User created' }];
    }
    if (p === '/api/users/lookup') {
      const u = users.get(url.searchParams.get('loginOrEmail') ?? '');
      return u ? [200, { id: u.id }] : [404, { message: 'user not found' }];
    }
    if ((m = /^\/api\/admin\/users\/(\d+)\/password$/.exec(p))) {
      const entry = [...users.values()].find((u) => u.id === Number(m![1]));
      if (entry) entry.password = (body as { password: string }).password;
      return [200, { message: 'User password updated' }];
    }
    if ((m = /^\/api\/orgs\/1\/users\/(\d+)$/.exec(p)) && method === 'PATCH') {
      const entry = [...users.values()].find((u) => u.id === Number(m![1]));
      if (!entry) return [404, { message: 'user not found' }];
      entry.role = (body as { role: string }).role;
      return [200, { message: 'Organization user updated' }];
    }
    if ((m = /^\/api\/plugin-proxy\/cursorwatch-cost-app\/(.*)$/.exec(p)))
      return proxy(method, m[1], url.search, user.role);
    return [404, { message: 'Not found' }];
  };

  const proxy = (method: string, rest: string, search: string, role: string): [number, unknown] => {
    const route = plugin.routes.find((r) => {
      if (r.method && r.method !== '*' && r.method !== method) return false;
      const re = `^${r.path
        .split('/')
        .map((s) => (s === '*' ? '.+' : s.startsWith(':') ? '[^/]+' : s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}$`;
      return new RegExp(re).test(rest);
    });
    if (!route) return [404, { message: 'plugin route match not found' }];
    if (!opts.ignoreRoles && route.reqRole && RANK.indexOf(role) < RANK.indexOf(route.reqRole))
      return [403, { message: 'plugin proxy route access denied' }];
    // The worker behind it.
    if (method !== 'GET')
      return [400, { error: 'invalid_request', message: 'id must be positive; __smoke__ is not allowed' }];
    if (rest === 'api/incidents' && search.includes('pageSize'))
      return [200, { items: opts.empty ? [] : [{ id: 7 }], total: opts.empty ? 0 : 1, page: 1, pageSize: 1 }];
    if (rest === 'api/users')
      return [
        200,
        { items: opts.empty ? [] : [{ email: 'dev00001@example.com' }], cycleStart: null, members: opts.empty ? 0 : 1 },
      ];
    if (opts.empty && (rest.startsWith('api/users/') || rest.startsWith('api/spend-limits/')))
      return [404, { error: 'not_found', message: 'No member with that email' }];
    if (rest === 'api/incidents/0') return [400, { error: 'invalid_request', message: 'id must be positive' }];
    if (rest === 'api/incidents/2147483647') return [404, { error: 'not_found', message: 'no incident 2147483647' }];
    return [200, {}];
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const [login, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':');
      const user = users.get(login);
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      requests.push({ method: req.method ?? '', url: req.url ?? '', user: login, body });
      const [status, answer] =
        !user || user.password !== password
          ? [401, { message: 'invalid username or password' }]
          : handle(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x'), user, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    users,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
