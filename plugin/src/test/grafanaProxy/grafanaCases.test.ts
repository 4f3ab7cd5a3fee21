/**
 * Grafana's own test cases for the plugin proxy, replayed against the model. Each `describe` names the Go test it
 * copies; fixtures are the Go test's routes, paths and expectations.
 */
import {
  extractProxyPath,
  planProxyRequest,
  proxyResponseHeaders,
  roleIncludes,
  type PluginRouteJson,
  type ProxyOptions,
  type SignedInUser,
} from './pluginProxy';
import { interpolateString } from './template';
import { Tree, matchTest } from './tree';

const user = (over: Partial<SignedInUser> = {}): SignedInUser => ({
  UserID: 1,
  UserUID: 'u1',
  OrgID: 1,
  OrgName: 'Main Org.',
  OrgRole: 'Admin',
  Login: 'test_user',
  Name: '',
  Email: '',
  IsGrafanaAdmin: false,
  ...over,
});

const opts = (routes: PluginRouteJson[], over: Partial<ProxyOptions> = {}): ProxyOptions => ({
  plugin: { id: 'test-app', routes },
  settings: { enabled: true, jsonData: {}, secureJsonData: {} },
  user: user(),
  ...over,
});

const get = (rest: string, o: ProxyOptions, method = 'GET', headers: Record<string, string> = {}) =>
  planProxyRequest(
    { method, rawUrl: `/api/plugin-proxy/${o.plugin.id}${rest}`, headers, remoteAddress: '10.0.0.9' },
    o,
  );

describe('pluginproxy_test.go TestPluginProxyRoutes', () => {
  // The Go test's routes, in its order.
  const routes: PluginRouteJson[] = [
    { path: '', method: 'GET', url: 'http://localhost' },
    { path: 'some-api', method: 'GET', url: 'http://localhost/api' },
    { path: 'some-api/instances', method: 'GET', url: 'http://localhost/api/instances/' },
    { path: 'some-api/*', method: 'GET', url: 'http://localhost/api' },
    { path: 'some-api/instances/*', method: 'GET', url: 'http://localhost/api/instances' },
    { path: 'some-other-api/*', method: 'GET', url: 'http://localhost/api/v2' },
    { path: 'some-other-api/instances/*', method: 'GET', url: 'http://localhost/api/v2/instances' },
  ];
  const tcs: Array<{ proxyPath: string; expectedURLPath?: string; expectedStatus: number }> = [
    { proxyPath: '/notexists', expectedStatus: 404 },
    { proxyPath: '/', expectedURLPath: '/', expectedStatus: 200 },
    { proxyPath: '/some-api', expectedURLPath: '/api', expectedStatus: 200 },
    { proxyPath: '/some-api/instances', expectedURLPath: '/api/instances/', expectedStatus: 200 },
    { proxyPath: '/some-api/some/thing', expectedURLPath: '/api/some/thing', expectedStatus: 200 },
    {
      proxyPath: '/some-api/instances/instance-one',
      expectedURLPath: '/api/instances/instance-one',
      expectedStatus: 200,
    },
    { proxyPath: '/some-other-api/some/thing', expectedURLPath: '/api/v2/some/thing', expectedStatus: 200 },
    {
      proxyPath: '/some-other-api/instances/instance-one',
      expectedURLPath: '/api/v2/instances/instance-one',
      expectedStatus: 200,
    },
  ];
  it.each(tcs)(
    'When proxying path $proxyPath should call expected URL',
    ({ proxyPath, expectedURLPath, expectedStatus }) => {
      const d = get(proxyPath, opts(routes));
      if (expectedStatus === 404) {
        expect(d).toMatchObject({ kind: 'respond', status: 404, body: '{"message":"plugin route match not found"}\n' });
        return;
      }
      expect(d).toMatchObject({ kind: 'forward', host: 'localhost', requestUri: expectedURLPath });
    },
  );
});

describe('plugin_proxy_test.go TestExtractPluginProxyPath', () => {
  it.each([
    ['/api/plugin-proxy/test', ''],
    ['/api/plugin-proxy/test/some/thing', 'some/thing'],
    ['/api/plugin-proxy/test2/api/services/afsd%2Fafsd/operations', 'api/services/afsd%2Fafsd/operations'],
  ])('%s → %s', (raw, exp) => {
    expect(extractProxyPath(raw)).toBe(exp);
  });

  it('then the route tree unescapes what `*` matched, so %2F reaches the upstream as a real slash', () => {
    const o = opts([{ path: 'api/*', url: 'http://localhost/base' }], {
      plugin: { id: 'test2', routes: [{ path: 'api/*', url: 'http://localhost/base' }] },
    });
    const d = get('/api/services/afsd%2Fafsd/operations', o);
    expect(d).toMatchObject({ kind: 'forward', requestUri: '/base/services/afsd/afsd/operations' });
  });
});

describe('pluginproxy_test.go TestPluginProxy (director)', () => {
  it('When getting proxy headers: route headers are templated from secureJsonData', () => {
    const o = opts(
      [
        {
          path: 'api/v4/*',
          url: 'https://www.google.com',
          headers: [{ name: 'x-header', content: 'my secret {{.SecureJsonData.key}}' }],
        },
      ],
      {
        settings: { enabled: true, secureJsonData: { key: '123' } },
      },
    );
    const d = get('/api/v4/alerts', o);
    expect(d.kind === 'forward' && d.headers['x-header']).toBe('my secret 123');
  });

  // Grafana 13's proxyutil.ApplyUserHeader only sends it for a user or service-account identity, so the fixture user
  // has a UserID (the Go test's SignedInUser{Login: "test_user"} predates that check).
  it.each([
    [true, user(), 'test_user'],
    [false, user(), undefined],
    [true, user({ IsAnonymous: true, UserID: 0, Login: '' }), undefined],
  ])('When SendUserHeader is %s (user %#)', (send, u, expected) => {
    const d = get(
      '/api/v4/alerts',
      opts(
        [
          { path: 'api/v4/', url: 'https://www.google.com', reqRole: 'Editor' },
          { path: 'api/v4/*', url: 'https://www.google.com' },
        ],
        { sendUserHeader: send, user: u },
      ),
    );
    expect(d.kind === 'forward' && d.headers['x-grafana-user']).toBe(expected);
  });

  it('When getting templated url', () => {
    const d = get(
      '/x',
      opts([{ path: 'x', url: '{{.JsonData.dynamicUrl}}', method: 'GET' }], {
        settings: { enabled: true, jsonData: { dynamicUrl: 'https://dynamic.grafana.com' } },
      }),
    );
    expect(d).toMatchObject({ kind: 'forward', protocol: 'https:', host: 'dynamic.grafana.com', requestUri: '/' });
  });

  it('When getting complex templated url', () => {
    const d = get(
      '/x',
      opts([
        {
          path: 'x',
          url: '{{if .JsonData.apiHost}}{{.JsonData.apiHost}}{{else}}https://example.com{{end}}',
          method: 'GET',
        },
      ]),
    );
    expect(d).toMatchObject({ kind: 'forward', protocol: 'https:', host: 'example.com' });
  });

  it("When getting templated body (plugin.json body is JSON; the model re-serialises it without the Go fixture's tab)", () => {
    const d = get(
      '/api/body',
      opts(
        [
          {
            path: 'api/body',
            url: 'http://www.test.com',
            body: { url: '{{.JsonData.dynamicUrl}}', secret: '{{.SecureJsonData.key}}' },
          },
        ],
        {
          settings: {
            enabled: true,
            jsonData: { dynamicUrl: 'https://dynamic.grafana.com' },
            secureJsonData: { key: '123' },
          },
        },
      ),
    );
    expect(d.kind === 'forward' && d.body).toBe('{"url":"https://dynamic.grafana.com","secret":"123"}');
  });

  it('When proxying a request should set expected response headers (CSP sandbox, no Set-Cookie)', () => {
    expect(proxyResponseHeaders({ 'content-type': 'text/plain', 'set-cookie': ['a=b'], connection: 'close' })).toEqual({
      'content-type': 'text/plain',
      'content-security-policy': 'sandbox',
    });
  });
});

describe('utils_test.go TestInterpolateString', () => {
  it('{{.SecureJsonData.Test}}', () => {
    expect(interpolateString('{{.SecureJsonData.Test}}', { SecureJsonData: { Test: '0asd+asd' } })).toBe('0asd+asd');
  });
});

describe('tree_test.go TestTreeMatchesProjectIDEnvelopeRoute', () => {
  it('/api/:projectID/envelope/ matches /api/1/envelope/', () => {
    const t = new Tree();
    t.add('/api/:projectID/envelope/');
    expect(t.match('/api/1/envelope/')).toEqual({ isMatch: true, params: { ':projectID': '1' } });
  });
});

describe('role.go RoleType.Includes (rolePrecedence)', () => {
  it.each([
    ['Admin', 'Editor', true],
    ['Admin', 'Admin', true],
    ['Editor', 'Viewer', true],
    ['Editor', 'Admin', false],
    ['Viewer', 'Editor', false],
    ['Viewer', 'None', true],
    ['None', 'Viewer', false],
    ['', 'Viewer', false],
  ] as const)('%s includes %s: %s', (have, want, ok) => {
    expect(roleIncludes(have, want)).toBe(ok);
  });
});

describe('tree.go matching rules the proxy relies on', () => {
  it.each([
    ['api/*', 'api/incidents', true],
    ['api/*', 'api/incidents/12/acknowledge', true],
    ['api/*', 'api', false],
    ['api/*', 'api/', false],
    ['api/settings', 'api/settings/', true],
    ['api/settings', 'api/settings/preview', false],
    ['api/settings', 'api/settings%2Fpreview', false],
    ['', '/', true],
    ['*', 'anything/at/all', true],
  ])('%s vs %s → %s', (pattern, url, ok) => {
    expect(matchTest(pattern, url)).toBe(ok);
  });

  it('a bad escape never matches', () => {
    expect(matchTest('api/*', 'api/%zz')).toBe(false);
  });
});
