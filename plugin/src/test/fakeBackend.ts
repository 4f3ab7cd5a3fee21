import { matchRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import { config, setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { from } from 'rxjs';
import { PROXY_BASE } from '../constants';

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
    public data: unknown = {}
  ) {}
}

/**
 * Replaces getBackendSrv(): every plugin-proxy request is matched to a contract route and its params, query and
 * body are validated against the shared schemas (violations are collected and asserted empty by the tests).
 */
export function installFakeBackend(handlers: Partial<Record<ApiRouteName | string, Handler>>) {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const answer = async (options: BackendSrvRequest) => {
    const method = (options.method ?? 'GET').toUpperCase();
    const query = (options.params ?? {}) as Record<string, unknown>;
    let rec: RecordedRequest;
    if (options.url.startsWith(PROXY_BASE)) {
      const path = options.url.slice(PROXY_BASE.length);
      const m = matchRoute(method, path);
      if (!m) {
        violations.push(`${method} ${path} is not a contract route`);
        throw new HttpFailure(404, { error: 'not_found', message: 'no route' });
      }
      const check = (
        part: string,
        schema: { safeParse(v: unknown): { success: boolean; error?: { message: string } } } | undefined,
        value: unknown
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
      // Query values travel as strings, exactly as the worker receives them.
      check('query', m.route.query, Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])));
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
  return { requests, violations, handlers, of: (name: string) => requests.filter((r) => r.name === name) };
}

export function setRole(role: 'Viewer' | 'Editor' | 'Admin') {
  const boot = config.bootData as unknown as { user: Record<string, unknown> };
  boot.user = { ...(boot.user ?? {}), orgRole: role, isGrafanaAdmin: false };
}
