import { API_ROUTES, type ApiRoute } from '@cursor-cost-watch/contract';

// Which plugin.json route a request to /api/plugin-proxy/<plugin>/<path> takes and what a user of a given role gets,
// following pkg/api/pluginproxy/pluginproxy.go: HandleRequest (routes in plugin.json order, method "" / "*" / exact,
// the path matched by the web route tree, the first match wins; no match: 404 "plugin route match not found") and
// hasAccessToRoute (reqRole: ctx.HasUserRole, else 403 "plugin proxy route access denied").

/** A positive id no incident has: the worker looks it up and answers 404 not_found. */
export const NO_SUCH_ID = 2_147_483_647;

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';
export const ROLES: OrgRole[] = ['Viewer', 'Editor', 'Admin'];

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: string;
  url?: string;
}

/** org.RoleType.Includes: Admin includes Editor includes Viewer. */
export function hasRole(user: OrgRole, required: string | undefined): boolean {
  if (!required || !ROLES.includes(required as OrgRole)) return true; // RoleType.IsValid false: no role check
  return ROLES.indexOf(user) >= ROLES.indexOf(required as OrgRole);
}

/** pkg/web tree matching for plugin route paths: literal segments, `:name` for one segment, `*` for the rest. */
export function routePathMatches(pattern: string, path: string): boolean {
  const want = pattern.replace(/^\/+/, '').split('/');
  const got = path.replace(/^\/+/, '').split('/');
  for (let i = 0; i < want.length; i += 1) {
    if (want[i] === '*') return i < got.length && got.slice(i).join('/') !== '';
    if (i >= got.length) return false;
    if (want[i].startsWith(':')) {
      if (got[i] === '') return false;
    } else if (want[i] !== got[i]) return false;
  }
  return want.length === got.length;
}

/** HandleRequest's loop: the first route whose method and path match. */
export function matchPluginRoute(routes: PluginRoute[], method: string, path: string): PluginRoute | null {
  return (
    routes.find(
      (r) => (!r.method || r.method === '*' || r.method === method.toUpperCase()) && routePathMatches(r.path, path),
    ) ?? null
  );
}

export interface Probe {
  route: string;
  method: ApiRoute['method'];
  /** The path after /api/plugin-proxy/<plugin>/ (the worker's path without its leading slash). */
  path: string;
  body?: unknown;
  role: OrgRole;
  /** 403 from Grafana, 404 when no route matches, else what the worker answers: 200 for a read, 400 for a write. */
  expected: 200 | 400 | 403 | 404;
  why: string;
  /** No plugin.json route takes this request: Grafana answers 404 and the page cannot reach the worker. */
  unroutable: boolean;
}

/** Sample values for path parameters: real ones when the stack has them (an incident id, a user's email). */
export interface Samples {
  incidentId?: number;
  email?: string;
}

/**
 * One probe per worker route (contract/src/routes.ts) and role. Reads use real ids and expect 200. Writes are sent
 * with an input the worker's validation refuses (id 0, an unknown body field): reaching the worker proves the route,
 * its 400 proves nothing was changed. The expected status comes from the route plugin.json gives the request.
 */
export function buildProbes(pluginRoutes: PluginRoute[], samples: Samples): Probe[] {
  const probes: Probe[] = [];
  for (const [name, route] of Object.entries(API_ROUTES) as [string, ApiRoute][]) {
    if (route.role === 'public') continue;
    const isRead = route.method === 'GET';
    const params: Record<string, string> = {
      // A read without a sample asks for an id no incident has (the worker: 404 not_found); a write for id 0,
      // which the worker's validation refuses (ids are positive).
      id: isRead ? String(samples.incidentId ?? NO_SUCH_ID) : '0',
      email: encodeURIComponent(samples.email ?? 'nobody@example.invalid'),
    };
    const path = route.path.replace(/^\//, '').replace(/:(\w+)/g, (_m, p: string) => params[p] ?? '0');
    const needsSample =
      isRead && /:(id|email)/.test(route.path) && !(route.path.includes(':id') ? samples.incidentId : samples.email);
    const matched = matchPluginRoute(pluginRoutes, route.method, path);
    for (const role of ROLES) {
      let expected: Probe['expected'];
      let why: string;
      if (!matched) {
        expected = 404;
        why = 'no plugin.json route matches';
      } else if (!hasRole(role, matched.reqRole)) {
        expected = 403;
        why = `route ${matched.path} needs ${matched.reqRole}`;
      } else {
        expected = isRead ? (needsSample ? 404 : 200) : 400;
        why = isRead
          ? needsSample
            ? 'no sample on the stack: the worker answers not_found'
            : `route ${matched.path} allows ${role}`
          : `route ${matched.path} allows ${role}; invalid input, the worker refuses it`;
      }
      probes.push({
        route: name,
        method: route.method,
        path,
        body: isRead ? undefined : { __smoke__: true },
        role,
        expected,
        why,
        unroutable: !matched,
      });
    }
  }
  return probes;
}

/**
 * Whether an answer is the expected one. 403 and 404 must be Grafana's own (its message), 200 and 400 the worker's
 * (a 400 with error invalid_request, a worker 404 with error not_found): a proxy that answers for the worker fails.
 */
export function probeOutcome(probe: Probe, status: number, body: unknown): { ok: boolean; detail: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { message?: string; error?: string };
  const got = `${status}${b.error ? ` ${b.error}` : ''}${b.message ? `: ${String(b.message).slice(0, 80)}` : ''}`;
  if (probe.unroutable)
    return { ok: false, detail: `no plugin.json route takes ${probe.method} ${probe.path}, got ${got}` };
  let ok = status === probe.expected;
  if (ok && probe.expected === 403) ok = /access denied/i.test(b.message ?? '');
  if (ok && probe.expected === 400) ok = b.error === 'invalid_request';
  if (ok && probe.expected === 404) ok = b.error === 'not_found';
  return { ok, detail: `expected ${probe.expected} (${probe.why}), got ${got}` };
}
