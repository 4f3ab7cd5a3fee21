// The model over real HTTP on 127.0.0.1: an echoing upstream stands in for the worker. (node:http as the client:
// the plugin's jest runs in jsdom, which has no fetch.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { servePluginProxy } from './nodeProxy';
import type { ProxyOptions } from './pluginProxy';

let upstream: http.Server;
let proxy: http.Server;
let upstreamUrl = '';
let proxyUrl = '';
let options: ProxyOptions;
const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, async (res) => {
      let text = '';
      for await (const c of res) {
        text += c;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const listen = (s: http.Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  upstream = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) {
      body += c;
    }
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    res.writeHead(req.url?.includes('teapot') ? 418 : 200, {
      'content-type': 'application/json',
      'set-cookie': 'worker=1',
    });
    res.end(JSON.stringify({ ok: true }));
  });
  upstreamUrl = await listen(upstream);
  proxy = http.createServer((req, res) => void servePluginProxy(req, res, options));
  proxyUrl = await listen(proxy);
});

afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await new Promise((r) => upstream.close(r));
});

beforeEach(() => {
  seen.length = 0;
  options = {
    plugin: {
      id: 'my-app',
      routes: [
        {
          path: 'api/*',
          method: 'GET',
          reqRole: 'Viewer',
          url: '{{ .JsonData.workerUrl }}/api',
          headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
        },
        {
          path: 'api/*',
          method: 'POST',
          reqRole: 'Editor',
          url: '{{ .JsonData.workerUrl }}/api',
          headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
        },
      ],
    },
    settings: { enabled: true, jsonData: { workerUrl: upstreamUrl }, secureJsonData: { apiToken: 'tok' } },
    user: {
      UserID: 3,
      UserUID: 'u3',
      OrgID: 1,
      OrgName: 'Main Org.',
      OrgRole: 'Viewer',
      Login: 'vic',
      Name: 'Vic',
      Email: 'vic@x.io',
      IsGrafanaAdmin: false,
    },
  };
});

it('forwards to the worker path with the token, without the cookie; answers with CSP sandbox and no Set-Cookie', async () => {
  const res = await request(`${proxyUrl}/api/plugin-proxy/my-app/api/users/a%40b.c?x=1`, {
    headers: { cookie: 'grafana_session=s' },
  });
  expect(res.status).toBe(200);
  expect(res.headers['content-security-policy']).toBe('sandbox');
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(seen).toHaveLength(1);
  expect(seen[0].url).toBe('/api/users/a@b.c?x=1');
  expect(seen[0].headers.authorization).toBe('Bearer tok');
  expect(seen[0].headers.cookie).toBeUndefined();
  expect(JSON.parse(String(seen[0].headers['x-grafana-context']))).toMatchObject({ Login: 'vic', OrgRole: 'Viewer' });
});

it("a Viewer POST never reaches the worker: 403 with Grafana's JSON", async () => {
  const res = await request(`${proxyUrl}/api/plugin-proxy/my-app/api/incidents/1/acknowledge`, {
    method: 'POST',
    body: '{}',
  });
  expect(res.status).toBe(403);
  expect(JSON.parse(res.text)).toEqual({ message: 'plugin proxy route access denied' });
  expect(seen).toHaveLength(0);
});

it("an Editor POST carries its body through, and the worker's status comes back", async () => {
  options.user.OrgRole = 'Editor';
  const res = await request(`${proxyUrl}/api/plugin-proxy/my-app/api/teapot`, {
    method: 'POST',
    body: '{"note":"ü"}',
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(418);
  expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/teapot', body: '{"note":"ü"}' });
});

it('a worker that is down is a 502 with an empty body', async () => {
  options.settings = {
    enabled: true,
    jsonData: { workerUrl: 'http://127.0.0.1:1' },
    secureJsonData: { apiToken: 'tok' },
  };
  const res = await request(`${proxyUrl}/api/plugin-proxy/my-app/api/incidents`);
  expect(res.status).toBe(502);
  expect(res.text).toBe('');
});
