import { matchRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import { config, setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { from } from 'rxjs';
import pluginJson from '../plugin.json';
import { PROXY_BASE } from '../constants';
import { planProxyRequest, type RoleType } from './grafanaProxy';

/** The role Grafana's proxy sees: the signed-in user's org role (the same bootData the pages read). */
function currentOrgRole(): RoleType {
  const user = config.bootData?.user as { orgRole?: string } | undefined;
  return (user?.orgRole ?? 'Viewer') as RoleType;
}

/** getBackendSrv() puts params in the query string; Grafana's proxy then decides as planProxyRequest does. */
export function proxyAsGrafana(method: string, url: string, params: Record<string, unknown>, role = currentOrgRole()) {
  const qs = new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString();
  return planProxyRequest(
    { method, rawUrl: qs ? `${url}?${qs}` : url, headers: { 'content-type': 'application/json' } },
    {
      plugin: pluginJson,
      settings: {
        enabled: true,
        jsonData: { workerUrl: 'http://worker:8080' },
        secureJsonData: { apiToken: 'test-token' },
      },
      user: {
        UserID: 2,
        UserUID: 'u2',
        OrgID: 1,
        OrgName: 'Main Org.',
        OrgRole: role,
        Login: 'tester',
        Name: 'Tester',
        Email: 'tester@example.com',
        IsGrafanaAdmin: false,
      },
    },
  );
}

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};

export interface RecordedRequest {
  name: ApiRouteName | string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

type Handler = (req: RecordedRequest) => unknown;

/** Throw from a handler to answer with an HTTP error, as Grafana's backend service does. */
export class HttpFailure {
  constructor(
    public status: number,
    public data: unknown = {},
  ) {}
}

/**
 * Replaces getBackendSrv(): every plugin-proxy request is matched to a contract route and its params, query and
 * body are validated against the shared schemas (violations are collected and asserted empty by the tests).
 */
export function installFakeBackend(
  handlers: Partial<Record<ApiRouteName | string, Handler>>,
  /** The org role Grafana checks at request time, when it differs from the one the page loaded with. */
  opts: { proxyRole?: RoleType } = {},
) {
  const requests: RecordedRequest[] = [];
  const proxied: Array<{ method: string; url: string; status: number; upstream?: string }> = [];
  const violations: string[] = [];
  const answer = async (options: BackendSrvRequest) => {
    const method = (options.method ?? 'GET').toUpperCase();
    const query = (options.params ?? {}) as Record<string, unknown>;
    let rec: RecordedRequest;
    if (options.url.startsWith(PROXY_BASE)) {
      // Through the model of Grafana's plugin proxy with the real plugin.json: the worker path is what Grafana sends.
      const decision = proxyAsGrafana(method, options.url, query, opts.proxyRole);
      if (decision.kind === 'respond') {
        proxied.push({ method, url: options.url, status: decision.status });
        throw { status: decision.status, data: parseBody(decision.body), statusText: 'error', config: options };
      }
      proxied.push({ method, url: options.url, status: 200, upstream: decision.requestUri });
      const path = decision.requestUri.split('?')[0];
      const m = matchRoute(method, path);
      if (!m) {
        violations.push(`${method} ${options.url} reaches the worker as ${decision.requestUri}: not a contract route`);
        throw new HttpFailure(404, { error: 'not_found', message: 'no route' });
      }
      const check = (
        part: string,
        schema: { safeParse(v: unknown): { success: boolean; error?: { message: string } } } | undefined,
        value: unknown,
      ) => {
        if (!schema) {
          const empty =
            value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
          if (!empty) {
            violations.push(`${m.name}: unexpected ${part} ${JSON.stringify(value)}`);
          }
          return;
        }
        const r = schema.safeParse(value);
        if (!r.success) {
          violations.push(`${m.name}: ${part} ${JSON.stringify(value)} rejected: ${r.error?.message}`);
        }
      };
      check('params', m.route.params, m.params);
      // The query exactly as the worker receives it (strings).
      check('query', m.route.query, Object.fromEntries(new URLSearchParams(decision.requestUri.split('?')[1] ?? '')));
      check('body', m.route.body, options.data);
      rec = { name: m.name, method, path, params: m.params, query, body: options.data };
    } else {
      rec = { name: `${method} ${options.url}`, method, path: options.url, params: {}, query, body: options.data };
    }
    requests.push(rec);
    const handler = handlers[rec.name];
    if (!handler) {
      throw new HttpFailure(500, { error: 'internal', message: `no test handler for ${rec.name}` });
    }
    try {
      const data = await handler(rec);
      return {
        data,
        status: 200,
        statusText: 'OK',
        ok: true,
        headers: new Headers(),
        url: options.url,
        config: options,
        redirected: false,
        type: 'basic' as const,
      };
    } catch (e) {
      if (e instanceof HttpFailure) {
        throw { status: e.status, data: e.data, statusText: 'error', config: options };
      }
      throw e;
    }
  };
  const srv = { fetch: (options: BackendSrvRequest) => from(answer(options)) } as unknown as BackendSrv;
  setBackendSrv(srv);
  return { requests, violations, proxied, handlers, of: (name: string) => requests.filter((r) => r.name === name) };
}

export function setRole(role: 'Viewer' | 'Editor' | 'Admin') {
  const boot = config.bootData as unknown as { user: Record<string, unknown> };
  boot.user = { ...(boot.user ?? {}), orgRole: role, isGrafanaAdmin: false };
}
