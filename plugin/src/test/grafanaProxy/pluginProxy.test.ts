/** The model's rules beyond Grafana's own fixtures, each tied to the Go code it follows (see pluginProxy.ts). */
import {
  grafanaContextHeader,
  loadRoutes,
  planProxyRequest,
  type PluginRouteJson,
  type ProxyOptions,
  type SignedInUser,
} from './pluginProxy';
import { interpolateString } from './template';

const user = (OrgRole: SignedInUser['OrgRole'], over: Partial<SignedInUser> = {}): SignedInUser => ({
  UserID: 7,
  UserUID: 'u7',
  OrgID: 1,
  OrgName: 'Main Org.',
  OrgRole,
  Login: 'ana',
  Name: 'Ana',
  Email: 'ana@example.com',
  IsGrafanaAdmin: false,
  ...over,
});

const routes: PluginRouteJson[] = [
  {
    path: 'api/settings',
    method: 'PUT',
    reqRole: 'Admin',
    url: '{{ .JsonData.workerUrl }}/api/settings',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
  {
    path: 'api/*',
    method: 'GET',
    reqRole: 'Viewer',
    url: '{{ .JsonData.workerUrl }}/api',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
  { path: 'api/*', reqRole: 'Editor', url: '{{ .JsonData.workerUrl }}/api' },
];

const o = (role: SignedInUser['OrgRole'], over: Partial<ProxyOptions> = {}): ProxyOptions => ({
  plugin: { id: 'my-app', routes },
  settings: { enabled: true, jsonData: { workerUrl: 'http://worker:8080' }, secureJsonData: { apiToken: 's3cret' } },
  user: user(role),
  ...over,
});

const call = (method: string, rest: string, opts: ProxyOptions, headers: Record<string, string> = {}) =>
  planProxyRequest({ method, rawUrl: `/api/plugin-proxy/my-app/${rest}`, headers, remoteAddress: '10.1.2.3' }, opts);

describe('HandleRequest: route order, method, reqRole', () => {
  it("the first route matching method and path decides; a lower role gets Grafana's 403 body and the search stops", () => {
    const d = call('PUT', 'api/settings', o('Editor'));
    expect(d).toEqual({
      kind: 'respond',
      status: 403,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: '{"message":"plugin proxy route access denied"}\n',
      why: 'Editor < Admin',
    });
  });

  it('another method skips a route; "" matches any method', () => {
    expect(call('POST', 'api/settings', o('Editor'))).toMatchObject({ kind: 'forward', requestUri: '/api/settings' });
    expect(call('POST', 'api/settings', o('Viewer'))).toMatchObject({ status: 403 });
  });

  it('method comparison is case-sensitive: a plugin.json "get" never matches', () => {
    const d = call(
      'GET',
      'api/x',
      o('Admin', { plugin: { id: 'my-app', routes: [{ path: 'api/*', method: 'get', url: 'http://w' }] } }),
    );
    expect(d).toMatchObject({ status: 404, body: '{"message":"plugin route match not found"}\n' });
  });

  it('a Grafana server admin with a Viewer org role is still a Viewer here (hasAccessToRoute reads the org role only)', () => {
    expect(call('PUT', 'api/settings', o('Admin', { user: user('Viewer', { IsGrafanaAdmin: true }) }))).toMatchObject({
      status: 403,
    });
  });

  it('reqRole is decoded like RoleType.UnmarshalText: lower case accepted, nonsense refused at load', () => {
    expect(loadRoutes({ id: 'a', routes: [{ path: 'x', reqRole: 'editor' }] })[0].reqRole).toBe('Editor');
    expect(() => loadRoutes({ id: 'a', routes: [{ path: 'x', reqRole: 'Owner' }] })).toThrow(
      'invalid role value: Owner',
    );
  });

  it('checkAppEnabled: a disabled app or another plugin id is a 404 before any route is looked at', () => {
    expect(call('GET', 'api/x', o('Admin', { settings: { enabled: false } }))).toMatchObject({
      status: 404,
      body: '{"message":"Plugin is not enabled"}\n',
    });
    expect(
      planProxyRequest({ method: 'GET', rawUrl: '/api/plugin-proxy/other-app/api/x', headers: {} }, o('Admin')),
    ).toMatchObject({ status: 404, body: '{"message":"Plugin not found"}\n' });
  });
});

describe('director: the outgoing URL', () => {
  it('`*` appends only what it matched; the route url carries the rest', () => {
    expect(call('GET', 'api/incidents?status=open&page=2', o('Viewer'))).toMatchObject({
      kind: 'forward',
      protocol: 'http:',
      host: 'worker:8080',
      requestUri: '/api/incidents?status=open&page=2',
    });
  });

  it('an exact route appends nothing: the route url must name the full worker path', () => {
    const bare = {
      plugin: { id: 'my-app', routes: [{ path: 'api/settings', method: 'PUT', url: '{{ .JsonData.workerUrl }}' }] },
    };
    expect(call('PUT', 'api/settings', o('Admin', bare))).toMatchObject({ requestUri: '/' });
  });

  it.each([
    ['users/a%40b.c', '/api/users/a@b.c'], // decoded by the tree, `@` needs no escape in a path
    ["users/o'brien%40x.io", '/api/users/o%27brien@x.io'], // Go escapes `'` in paths
    ['users/a%2Bb%40x.io', '/api/users/a+b@x.io'],
    ['users/j%C3%BCrgen', '/api/users/j%C3%BCrgen'], // UTF-8 bytes re-escaped upper-case
    ['users/a%20b', '/api/users/a%20b'],
    ['users/what%3F', '/api/users/what%3F'], // `?` must stay escaped
    ['users/100%25', '/api/users/100%25'],
    ['users/a%2Fb', '/api/users/a/b'], // an escaped slash becomes a real one: one more path segment upstream
    ['users/%2e%2e/settings', '/api/users/../settings'], // dots are not resolved by Grafana (the worker sees them)
  ])('%s reaches the worker as %s', (rest, uri) => {
    expect(call('GET', `api/${rest}`, o('Viewer'))).toMatchObject({ requestUri: uri });
  });

  it("a malformed escape is refused by Go's HTTP server before Grafana sees it", () => {
    expect(call('GET', 'api/users/%zz', o('Viewer'))).toMatchObject({ status: 400 });
  });

  it('the trailing slash is dropped unless pluginProxyPreserveTrailingSlash is on', () => {
    expect(call('GET', 'api/users/', o('Viewer'))).toMatchObject({ requestUri: '/api/users' });
    expect(call('GET', 'api/users/', o('Viewer', { preserveTrailingSlash: true }))).toMatchObject({
      requestUri: '/api/users/',
    });
  });

  it('a workerUrl with a trailing slash doubles the slash (Go keeps the path as written)', () => {
    const s = { enabled: true, jsonData: { workerUrl: 'http://worker:8080/' }, secureJsonData: { apiToken: 't' } };
    expect(call('GET', 'api/incidents', o('Viewer', { settings: s }))).toMatchObject({ requestUri: '//api/incidents' });
  });

  it('an unset workerUrl renders "<no value>", which cannot be sent: 502 with an empty body', () => {
    const s = { enabled: true, jsonData: {}, secureJsonData: {} };
    expect(call('GET', 'api/incidents', o('Viewer', { settings: s }))).toMatchObject({
      kind: 'respond',
      status: 502,
      body: '',
    });
  });

  it('a route url template Grafana cannot parse is a 500 with its message', () => {
    const bad = { plugin: { id: 'my-app', routes: [{ path: 'api/*', url: '{{ .JsonData.workerUrl ' }] } };
    expect(call('GET', 'api/x', o('Admin', bad))).toMatchObject({
      status: 500,
      body: '{"message":"Could not interpolate plugin route url","traceID":""}\n',
    });
  });
  it('a route header template Grafana cannot run is a 500 "Failed to render plugin headers"', () => {
    const bad = {
      plugin: {
        id: 'my-app',
        routes: [{ path: 'api/*', url: 'http://w/api', headers: [{ name: 'X', content: '{{ .Nope }}' }] }],
      },
    };
    expect(call('GET', 'api/x', o('Admin', bad))).toMatchObject({
      status: 500,
      body: '{"message":"Failed to render plugin headers","traceID":""}\n',
    });
  });
});

describe('director: headers', () => {
  const d = call('GET', 'api/incidents', o('Viewer'), {
    cookie: 'grafana_session=abc',
    authorization: 'Bearer the-users-grafana-token',
    origin: 'http://grafana',
    referer: 'http://grafana/a/my-app/incidents',
    'x-forwarded-host': 'evil',
    connection: 'keep-alive, x-drop-me',
    'x-drop-me': '1',
    'x-grafana-org-id': '1',
  });
  const headers = d.kind === 'forward' ? d.headers : {};

  it('cookies are dropped', () => {
    expect(headers.cookie).toBeUndefined();
  });

  it('route headers are templated from secureJsonData and replace what the browser sent', () => {
    expect(headers.authorization).toBe('Bearer s3cret');
  });

  it('X-Grafana-Context is json.Marshal(SignedInUser) with Go field names', () => {
    expect(JSON.parse(headers['x-grafana-context'])).toMatchObject({
      UserID: 7,
      Login: 'ana',
      Email: 'ana@example.com',
      OrgRole: 'Viewer',
      OrgID: 1,
      IsGrafanaAdmin: false,
    });
    expect(Object.keys(JSON.parse(grafanaContextHeader(user('Viewer'))))[0]).toBe('UserID');
  });

  it("X-Grafana-Id carries the signed-in user's ID token (ApplyForwardIDHeader), never inside X-Grafana-Context", () => {
    const withToken = call(
      'GET',
      'api/incidents',
      o('Viewer', { user: user('Viewer', { IDToken: 'eyJ.signed.id' }) }),
      {
        'x-grafana-id': 'eyJ.browser.made-up',
      },
    );
    const h = withToken.kind === 'forward' ? withToken.headers : {};
    expect(h['x-grafana-id']).toBe('eyJ.signed.id');
    expect(h['x-grafana-context']).not.toContain('eyJ');
    // Grafana 13: no token on the identity, the header is left as the browser sent it (the worker refuses it unsigned).
    const without = call('GET', 'api/incidents', o('Viewer'), { 'x-grafana-id': 'eyJ.browser.made-up' });
    expect(without.kind === 'forward' ? without.headers['x-grafana-id'] : null).toBe('eyJ.browser.made-up');
    expect(headers['x-grafana-id']).toBeUndefined();
  });

  it('PrepareProxyRequest and ReverseProxy: Referer moved to X-Grafana-Referer, Origin/X-Forwarded-Host and hop-by-hop dropped, client IP appended twice', () => {
    expect(headers).toMatchObject({
      'x-grafana-referer': 'http://grafana/a/my-app/incidents',
      'x-forwarded-for': '10.1.2.3, 10.1.2.3',
      host: 'worker:8080',
      'x-grafana-org-id': '1',
    });
    for (const gone of ['origin', 'referer', 'x-forwarded-host', 'connection', 'x-drop-me']) {
      expect([gone, headers[gone]]).toEqual([gone, undefined]);
    }
  });

  it("a route without an Authorization header lets the browser's own Authorization through", () => {
    const x = call('POST', 'api/x', o('Editor'), { authorization: 'Bearer glsa_user' });
    expect(x.kind === 'forward' && x.headers.authorization).toBe('Bearer glsa_user');
  });
});

describe('text/template subset (utils.go interpolateString)', () => {
  const data = {
    JsonData: { workerUrl: 'http://w:1', port: 8080, big: 1234567, nested: { a: 'b' }, on: true },
    SecureJsonData: { apiToken: 't' },
  };
  it.each([
    ['{{ .JsonData.workerUrl }}/api', 'http://w:1/api'],
    ['Bearer {{ .SecureJsonData.apiToken }}', 'Bearer t'],
    ['Bearer {{ .SecureJsonData.missing }}', 'Bearer <no value>'],
    ['{{ .JsonData.missing | orEmpty }}x', 'x'],
    ['{{ orEmpty .JsonData.missing }}x', 'x'],
    ['{{ .JsonData.port }}', '8080'],
    ['{{ .JsonData.big }}', '1.234567e+06'],
    ['{{ .JsonData.nested.a }}', 'b'],
    ['{{ .JsonData.nested }}', 'map[a:b]'],
    ['{{if .JsonData.on}}yes{{else}}no{{end}}', 'yes'],
    ['{{if .JsonData.nope}}yes{{else if .JsonData.on}}elif{{end}}', 'elif'],
    ['a  {{- " b " -}}  c', 'a b c'],
  ])('%s → %s', (t, out) => {
    expect(interpolateString(t, data)).toBe(out);
  });

  it.each([
    ['{{ .JsonData.workerUrl ', 'could not parse template'],
    ['{{ .Nope }}', 'failed to execute template'],
    ['{{ .JsonData.workerUrl.x }}', 'failed to execute template'],
    ['{{ range .JsonData }}{{ end }}', 'could not parse template'],
  ])('%s fails: %s', (t, msg) => {
    expect(() => interpolateString(t, data)).toThrow(msg);
  });
});
