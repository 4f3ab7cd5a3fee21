/**
 * A model of Grafana's plugin proxy (`/api/plugin-proxy/<pluginId>/<rest>`), taken rule by rule from Grafana's Go
 * code: pkg/api/api.go (route + checkAppEnabled), pkg/api/plugin_proxy.go (ProxyPluginRequest, extractProxyPath),
 * pkg/api/pluginproxy/pluginproxy.go (HandleRequest, hasAccessToRoute, director, writeJSONErr),
 * pkg/api/pluginproxy/utils.go (interpolateString, addHeaders, setBodyContent), pkg/web/tree.go (route matching),
 * pkg/util/proxyutil (NewReverseProxy, PrepareProxyRequest, errorHandler), Go's net/url and net/http/httputil.
 * `planProxyRequest` is pure: it decides Grafana's answer or the exact upstream request; ./nodeProxy.ts sends it.
 */
import {
  EscapeError,
  escapedPath,
  joinURLFragments,
  parseRequestURI,
  parseUrl,
  requestURI,
  toBytes,
  type GoUrl,
} from './goUrl';
import { interpolateString, type TemplateData } from './template';
import { Tree } from './tree';

export type RoleType = 'None' | 'Viewer' | 'Editor' | 'Admin';

/** pkg/apimachinery/identity role.go rolePrecedence: a role includes every role of lower precedence. */
const ROLE_PRECEDENCE: Record<RoleType, number> = { None: 10, Viewer: 20, Editor: 30, Admin: 40 };

/** role.go (RoleType).Includes. An unknown role has precedence 0 and includes nothing. */
export const roleIncludes = (have: string, want: RoleType) =>
  (ROLE_PRECEDENCE[have as RoleType] ?? 0) >= ROLE_PRECEDENCE[want];

/** role.go (*RoleType).UnmarshalText, run when plugin.json is decoded: "viewer" → "Viewer", "" → Viewer, else error. */
export function parseReqRole(raw: unknown, where: string): RoleType | undefined {
  if (raw === undefined) {
    return undefined; // absent: ReqRole stays "" and IsValid() is false, so hasAccessToRoute skips the check
  }
  if (typeof raw !== 'string') {
    throw new Error(`${where}: reqRole must be a string`);
  }
  const titled = raw.replace(/\b\w/g, (c) => c.toUpperCase()); // strings.Title
  if (titled === '') {
    return 'Viewer';
  }
  if (!(titled in ROLE_PRECEDENCE)) {
    throw new Error(`${where}: invalid role value: ${titled} (Grafana fails to load the plugin)`);
  }
  return titled as RoleType;
}

export interface PluginRouteJson {
  path?: string;
  method?: string;
  url?: string;
  reqRole?: string;
  reqAction?: string;
  headers?: Array<{ name: string; content: string }>;
  body?: unknown;
  tokenAuth?: unknown;
  jwtTokenAuth?: unknown;
  urlParams?: unknown;
}

export interface PluginRoute {
  path: string;
  method: string;
  url: string;
  reqRole?: RoleType;
  headers: Array<{ name: string; content: string }>;
  body?: string;
}

/** plugins.Route as Grafana decodes it from plugin.json (only the fields the app-plugin proxy reads). */
export function loadRoutes(plugin: { id: string; routes?: PluginRouteJson[] }): PluginRoute[] {
  return (plugin.routes ?? []).map((r, i) => {
    const where = `${plugin.id} routes[${i}] (${r.method ?? '*'} ${r.path ?? ''})`;
    if (r.reqAction) {
      throw new Error(`${where}: reqAction (RBAC evaluation) is not modelled; use reqRole`);
    }
    if (r.tokenAuth || r.jwtTokenAuth) {
      throw new Error(`${where}: tokenAuth/jwtTokenAuth are not modelled`);
    }
    return {
      path: r.path ?? '',
      method: r.method ?? '',
      url: r.url ?? '',
      reqRole: parseReqRole(r.reqRole, where),
      headers: r.headers ?? [],
      // plugins.Route.Body is json.RawMessage: the raw JSON text is the template.
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
    };
  });
}

/** The fields of pkg/services/user identity.go SignedInUser, in struct order (json.Marshal uses Go field names). */
export interface SignedInUser {
  UserID: number;
  UserUID: string;
  OrgID: number;
  OrgName: string;
  OrgRole: RoleType | '';
  Login: string;
  Name: string;
  Email: string;
  EmailVerified?: boolean;
  AuthID?: string;
  AuthenticatedBy?: string;
  AllowedKubernetesNamespace?: string;
  ApiKeyID?: number;
  IsServiceAccount?: boolean;
  IsGrafanaAdmin: boolean;
  IsAnonymous?: boolean;
  IsDisabled?: boolean;
  HelpFlags1?: number;
  LastSeenAt?: string;
  Teams?: number[] | null;
  FallbackType?: string;
  /**
   * The signed ID token (`json:"-"`, so never in X-Grafana-Context) that pkg/services/auth/idimpl/service.go
   * (Service).SyncIDToken, a post-auth hook, puts on every signed-in identity: ES256, iss = root_url, aud = org:<id>,
   * username/email/role claims. Empty when signing failed (the hook logs and carries on).
   */
  IDToken?: string;
}

/** json.Marshal(signedInUser): every exported field, zero values included, Permissions/IDToken are `json:"-"`. */
export function grafanaContextHeader(u: SignedInUser): string {
  return JSON.stringify({
    UserID: u.UserID,
    UserUID: u.UserUID,
    OrgID: u.OrgID,
    OrgName: u.OrgName,
    OrgRole: u.OrgRole,
    Login: u.Login,
    Name: u.Name,
    Email: u.Email,
    EmailVerified: u.EmailVerified ?? false,
    AuthID: u.AuthID ?? '',
    AuthenticatedBy: u.AuthenticatedBy ?? '',
    AllowedKubernetesNamespace: u.AllowedKubernetesNamespace ?? '',
    ApiKeyID: u.ApiKeyID ?? 0,
    IsServiceAccount: u.IsServiceAccount ?? false,
    IsGrafanaAdmin: u.IsGrafanaAdmin,
    IsAnonymous: u.IsAnonymous ?? false,
    IsDisabled: u.IsDisabled ?? false,
    HelpFlags1: u.HelpFlags1 ?? 0,
    LastSeenAt: u.LastSeenAt ?? '0001-01-01T00:00:00Z',
    Teams: u.Teams ?? null,
    FallbackType: u.FallbackType ?? '',
  });
}

export interface PluginSettings {
  enabled: boolean;
  jsonData?: Record<string, unknown> | null;
  /** Already decrypted, as DecryptJsonData hands them to the director. */
  secureJsonData?: Record<string, string> | null;
}

export interface IncomingRequest {
  method: string;
  /** The request target exactly as the browser sent it (`/api/plugin-proxy/<id>/…?…`). */
  rawUrl: string;
  /** Node-style: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
  /** The body as bytes (one char per byte). */
  body?: string;
}

export interface ProxyOptions {
  plugin: { id: string; type?: string; routes?: PluginRouteJson[] };
  settings: PluginSettings;
  user: SignedInUser;
  /** [feature_toggles] pluginProxyPreserveTrailingSlash (off by default). */
  preserveTrailingSlash?: boolean;
  /** [dataproxy] send_user_header. */
  sendUserHeader?: boolean;
}

export type Headers = Record<string, string>;

export type ProxyDecision =
  | { kind: 'respond'; status: number; headers: Headers; body: string; why: string }
  | {
      kind: 'forward';
      protocol: string;
      host: string;
      method: string;
      /** What goes on the request line: (*URL).RequestURI() of the rewritten URL. */
      requestUri: string;
      headers: Headers;
      body?: string;
      route: PluginRoute;
    };

const JSON_TYPE = 'application/json; charset=UTF-8';

/** pluginproxy.go writeJSONErr (≡ c.JsonApiErr): {"message": …} (+ "traceID" when there is an error), newline-terminated. */
function jsonErr(status: number, message: string, withErr: boolean, why = message): ProxyDecision {
  // encoding/json writes map keys sorted: "message" before "traceID".
  const body: Record<string, string> = { message };
  if (withErr) {
    body.traceID = ''; // tracing.TraceIDFromContext without an active span
  }
  return { kind: 'respond', status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) + '\n', why };
}

/** plugin_proxy.go pluginProxyPathRegexp + extractProxyPath: strip `/api/plugin-proxy/<id>/` from the escaped path. */
export function extractProxyPath(originalRawPath: string): string {
  return originalRawPath.replace(/^\/api\/plugin-proxy\/([A-Za-z0-9_-]+)\/?/, '');
}

/** The pluginId as pkg/web routes `/api/plugin-proxy/:pluginId/*` capture it (one segment). */
function pluginIdOf(path: string): string | undefined {
  return /^\/api\/plugin-proxy\/([^/]+)(\/|$)/.exec(path)?.[1];
}

/** HTTP/1.1 hop-by-hop headers that httputil.ReverseProxy removes (removeHopByHopHeaders), plus those listed in Connection. */
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function removeHopByHop(h: Headers): void {
  for (const name of (h.connection ?? '').split(',').map((s) => s.trim().toLowerCase())) {
    if (name) {
      delete h[name];
    }
  }
  for (const name of HOP_BY_HOP) {
    delete h[name];
  }
}

function flatten(headers: IncomingRequest['headers']): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) {
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return out;
}

export function planProxyRequest(req: IncomingRequest, opts: ProxyOptions): ProxyDecision {
  // net/http ReadRequest → url.ParseRequestURI: a malformed escape never reaches Grafana's handlers.
  let incoming: GoUrl;
  try {
    incoming = parseRequestURI(req.rawUrl);
  } catch (e) {
    if (e instanceof EscapeError) {
      return {
        kind: 'respond',
        status: 400,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '400 Bad Request',
        why: e.message,
      };
    }
    throw e;
  }
  const path = escapedPath(incoming);

  // pkg/api/api.go: apiRoute.Any("/plugin-proxy/:pluginId/*", authorize(plugins.app:access), checkAppEnabled(...), ProxyPluginRequest).
  const pluginId = pluginIdOf(path);
  if (pluginId === undefined) {
    return jsonErr(404, 'Not found', false, 'not a plugin-proxy path');
  }
  // api checkAppEnabled: unknown plugin → 404 "Plugin not found"; disabled app → 404 "Plugin is not enabled".
  if (pluginId !== opts.plugin.id) {
    return jsonErr(404, 'Plugin not found', false);
  }
  if (!opts.settings.enabled) {
    return jsonErr(404, 'Plugin is not enabled', false);
  }

  // plugin_proxy.go getProxyPath: extractProxyPath(c.Req.URL.EscapedPath()): the rest stays percent-escaped here.
  let proxyPath = extractProxyPath(path);
  const routes = loadRoutes(opts.plugin);

  // pluginproxy.go HandleRequest: the FIRST route (plugin.json order) whose method and path match decides.
  let matched: PluginRoute | undefined;
  for (const route of routes) {
    // HandleRequest: method "" or "*" matches any; otherwise an exact, case-sensitive comparison.
    if (route.method !== '' && route.method !== '*' && route.method !== req.method) {
      continue;
    }
    // HandleRequest: web.NewTree(); t.Add(route.Path); t.Match(proxyPath) (pkg/web/tree.go, unescapes as it matches).
    const t = new Tree();
    t.add(route.path);
    const { params, isMatch } = t.match(proxyPath);
    if (!isMatch) {
      continue;
    }
    // HandleRequest → hasAccessToRoute: reqRole checked with OrgRole.Includes (IsGrafanaAdmin does NOT count); 403 stops the search.
    if (route.reqRole !== undefined && !roleIncludes(opts.user.OrgRole, route.reqRole)) {
      return jsonErr(
        403,
        'plugin proxy route access denied',
        false,
        `${opts.user.OrgRole || 'no role'} < ${route.reqRole}`,
      );
    }
    // HandleRequest: only what `*` matched (unescaped by the tree) is kept; an exact route forwards nothing of the path.
    if ('*' in params) {
      const hasSlash = proxyPath.endsWith('/');
      proxyPath = params['*'];
      // HandleRequest: the trailing slash survives only with the pluginProxyPreserveTrailingSlash feature toggle.
      if (hasSlash && !proxyPath.endsWith('/') && opts.preserveTrailingSlash) {
        proxyPath += '/';
      }
    } else {
      proxyPath = '';
    }
    matched = route;
    break;
  }
  if (!matched) {
    // HandleRequest: no route → 404 "plugin route match not found".
    return jsonErr(404, 'plugin route match not found', false);
  }

  // director: templateData{JsonData, SecureJsonData (decrypted)}.
  const data: TemplateData = {
    URL: '',
    JsonData: opts.settings.jsonData ?? null,
    SecureJsonData: opts.settings.secureJsonData ?? null,
  };
  // director: interpolateString(route.URL) → 500 "Could not interpolate plugin route url".
  let interpolated: string;
  try {
    interpolated = interpolateString(matched.url, data);
  } catch {
    return jsonErr(500, 'Could not interpolate plugin route url', true);
  }
  // director: url.Parse → 500 "Could not parse url".
  let target: GoUrl;
  try {
    target = parseUrl(interpolated);
  } catch {
    return jsonErr(500, 'Could not parse url', true);
  }
  // director: req.URL.Path = util.JoinURLFragments(targetURL.Path, proxyPath); scheme and host from the target; the
  // target's own query is dropped and the incoming RawQuery kept. RawPath still holds the incoming raw path, which no
  // longer unescapes to Path, so EscapedPath() re-escapes Path canonically (Go net/url).
  const outgoing: GoUrl = {
    scheme: target.scheme,
    host: target.host,
    path: joinURLFragments(target.path, proxyPath),
    rawPath: incoming.rawPath,
    rawQuery: incoming.rawQuery,
  };

  const headers = flatten(req.headers);
  // director: clear cookie headers.
  delete headers.cookie;
  delete headers['set-cookie'];
  // director: X-Grafana-Context = json.Marshal(signedInUser).
  headers['x-grafana-context'] = grafanaContextHeader(opts.user);
  // proxyutil.ApplyUserHeader: X-Grafana-User removed, set to the login only with send_user_header for real users.
  delete headers['x-grafana-user'];
  if (opts.sendUserHeader && !opts.user.IsAnonymous && opts.user.UserID > 0) {
    headers['x-grafana-user'] = opts.user.Login;
  }
  // director → proxyutil.ApplyForwardIDHeader(req, signedInUser): X-Grafana-Id = the user's IDToken when it has one,
  // with no feature toggle (`idForwarding` was removed in Grafana 11.3, PR #92209). In the Grafana 13 line the header
  // is only Set, so without a token whatever the browser sent passes through (Grafana main now deletes it instead);
  // the worker verifies the signature either way, so a browser cannot make one up.
  if (opts.user.IDToken) {
    headers['x-grafana-id'] = opts.user.IDToken;
  }
  // director: addHeaders: each route header interpolated and Set (replacing what the browser sent).
  for (const h of matched.headers) {
    try {
      headers[h.name.toLowerCase()] = interpolateString(h.content, data);
    } catch {
      return jsonErr(500, 'Failed to render plugin headers', true);
    }
  }
  // director: setBodyContent: a route body replaces the request body (a template error is only logged).
  let body = req.body;
  if (matched.body !== undefined) {
    try {
      body = toBytes(interpolateString(matched.body, data));
      headers['content-length'] = String(body.length);
    } catch {
      // logger.Error("Failed to set plugin route body content"): the original body goes through
    }
  }
  // proxyutil PrepareProxyRequest (via wrapDirector): X-Grafana-Referer, no Origin/Referer/X-Forwarded-Host|Port|Proto.
  headers['x-grafana-referer'] = headers.referer ?? '';
  delete headers.origin;
  delete headers.referer;
  delete headers['x-forwarded-host'];
  delete headers['x-forwarded-port'];
  delete headers['x-forwarded-proto'];
  const remote = (req.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (remote) {
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${remote}` : remote;
  }
  // httputil.ReverseProxy.ServeHTTP: hop-by-hop headers removed, then the client IP appended to X-Forwarded-For again.
  removeHopByHop(headers);
  if (remote) {
    headers['x-forwarded-for'] = `${headers['x-forwarded-for']}, ${remote}`;
  }
  // director: req.Host = targetURL.Host.
  headers.host = outgoing.host;

  // http.Transport: no scheme/host (e.g. an unset workerUrl rendered as "<no value>") fails → errorHandler → 502.
  if (!['http', 'https'].includes(outgoing.scheme) || outgoing.host === '') {
    return {
      kind: 'respond',
      status: 502,
      headers: {},
      body: '',
      why: `cannot send to ${JSON.stringify(interpolated)}`,
    };
  }
  return {
    kind: 'forward',
    protocol: outgoing.scheme + ':',
    host: outgoing.host,
    method: req.method,
    requestUri: requestURI(outgoing),
    headers,
    body,
    route: matched,
  };
}

/**
 * The upstream answer as the browser receives it: httputil.ReverseProxy drops hop-by-hop headers, and proxyutil
 * modifyResponse deletes Set-Cookie and sets Content-Security-Policy: sandbox.
 */
export function proxyResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(upstream)) {
    if (v !== undefined) {
      out[k.toLowerCase()] = v;
    }
  }
  const conn = typeof out.connection === 'string' ? out.connection : '';
  for (const name of [...HOP_BY_HOP, ...conn.split(',').map((s) => s.trim().toLowerCase())]) {
    if (name) {
      delete out[name];
    }
  }
  delete out['set-cookie'];
  out['content-security-policy'] = 'sandbox';
  return out;
}

/** proxyutil errorHandler: client gone → 499, upstream timeout → 504, any other failure → 502 (empty body). */
export function proxyErrorStatus(err: { code?: string; name?: string }, clientClosed = false): number {
  if (clientClosed) {
    return 499;
  }
  if (err.code === 'ETIMEDOUT' || err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT') {
    return 504;
  }
  return 502;
}
