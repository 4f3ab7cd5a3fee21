import { createReadStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pluginJson from '../src/plugin.json';
import { servePluginProxy, type ProxyLogEntry } from '../src/test/grafanaProxy/nodeProxy';
import type { RoleType, SignedInUser } from '../src/test/grafanaProxy/pluginProxy';

const ROOT = path.resolve(__dirname, '../..');
const ICONS = path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons');
const FONT = path.join(ROOT, 'node_modules/@fontsource/inter/files/inter-latin-400-normal.woff2');
const MONO = path.join(ROOT, 'node_modules/@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff2');
const PROXY_PREFIX = '/api/plugin-proxy/';
const PLACEHOLDER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="4"/></svg>';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
};

/** The signed-in users of this stand-in Grafana, by session cookie value (grafana_session=<login>). */
export const E2E_USERS = {
  viewer: { UserID: 11, Login: 'e2e.viewer', OrgRole: 'Viewer' },
  editor: { UserID: 12, Login: 'e2e.editor', OrgRole: 'Editor' },
  admin: { UserID: 13, Login: 'e2e.admin', OrgRole: 'Admin' },
} as const;
export type E2ELogin = keyof typeof E2E_USERS;

function signedInUser(login: E2ELogin, role: RoleType): SignedInUser {
  const u = E2E_USERS[login];
  return {
    UserID: u.UserID,
    UserUID: `uid-${login}`,
    OrgID: 1,
    OrgName: 'Main Org.',
    OrgRole: role,
    Login: u.Login,
    Name: u.Login,
    Email: `${u.Login}@example.com`,
    IsGrafanaAdmin: false,
    AuthenticatedBy: 'password',
    LastSeenAt: '2026-11-20T09:00:00Z',
    Teams: [],
  };
}

const sessionOf = (cookie: string | undefined): E2ELogin | undefined => {
  const v = /(?:^|;\s*)grafana_session=([a-z]+)/.exec(cookie ?? '')?.[1];
  return v && v in E2E_USERS ? (v as E2ELogin) : undefined;
};

function page(theme: 'light' | 'dark', orgRole: RoleType, login: string) {
  const boot = {
    settings: {
      appSubUrl: '',
      appUrl: 'http://localhost/',
      buildInfo: { version: '13.2.3', edition: 'Open Source', env: 'production', commit: 'e2e' },
      featureToggles: {},
      datasources: {},
      panels: {},
    },
    user: {
      theme,
      orgRole,
      isGrafanaAdmin: false,
      login,
      timezone: 'utc',
      locale: 'en-US',
      language: 'en-US',
    },
    navTree: [],
    assets: {},
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>cursorwatch-cost-app</title>
<script>window.grafanaBootData = ${JSON.stringify(boot)}; window.__grafana_public_path__ = '/public/';</script>
<link rel="stylesheet" href="/host/host.css"><style>body{margin:0}</style></head>
<body><div id="root"></div><script src="/host/host.js"></script></body></html>`;
}

/**
 * Grafana's ID tokens for the stand-in users, as pkg/services/auth/idimpl/service.go SignIdentity and signer.go sign
 * them (ES256, kid, typ "jwt"; iss = app URL with '/', aud = org:1, 10 minutes; username, email, role = the org role
 * at request time), and the key set GET /api/signing-keys/keys publishes (signingkeysimpl exposeJWKS).
 */
async function idTokenSigner() {
  const kid = 'id-e2e-es256';
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), use: 'sig', kid, alg: 'ES256' }] });
  const sign = (appUrl: string, login: E2ELogin, role: RoleType) => {
    const u = E2E_USERS[login];
    return new SignJWT({
      namespace: 'default',
      identifier: `uid-${login}`,
      type: 'user',
      email: `${u.Login}@example.com`,
      authenticatedBy: 'password',
      username: u.Login,
      name: u.Login,
      role,
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'jwt' })
      .setIssuer(appUrl)
      .setAudience('org:1')
      .setSubject(`user:${u.UserID}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  };
  return { jwks, sign };
}

/**
 * Serves the host page and bundle, Grafana's icons and fonts, and Grafana's plugin proxy through the model of its Go
 * code (src/test/grafanaProxy) with the real plugin.json and app settings, forwarding each user's signed ID token
(X-Grafana-Id) as Grafana 13 does, with the keys at /api/signing-keys/keys. Users sign in by cookie; like Grafana,
 * the page's bootData carries the role at page load while the proxy checks the role at request time, so `setRole`
 * can lower a role while a page is open.
 */
export async function startHostServer(opts: { bundleDir: string; workerUrl: () => string; token: string }) {
  const roles: Record<E2ELogin, RoleType> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin' };
  const signer = await idTokenSigner();
  let appUrl = '';
  const proxyLog: ProxyLogEntry[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const send = (status: number, body: string | Buffer, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const file = (p: string) => {
      res.writeHead(200, { 'content-type': TYPES[path.extname(p)] ?? 'application/octet-stream' });
      createReadStream(p).pipe(res);
    };
    try {
      const login = sessionOf(req.headers.cookie);
      if (url.pathname === '/api/signing-keys/keys') return send(200, signer.jwks, 'application/json');
      if (url.pathname.startsWith('/a/')) {
        if (!login) return send(401, 'not signed in: set the grafana_session cookie');
        const theme = url.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
        return send(200, page(theme, roles[login], E2E_USERS[login].Login), 'text/html');
      }
      if (url.pathname.startsWith('/host/')) {
        const p = path.join(opts.bundleDir, path.basename(url.pathname));
        return existsSync(p) ? file(p) : send(404, 'not built');
      }
      if (url.pathname.startsWith('/public/build/img/icons/')) {
        const p = path.join(ICONS, url.pathname.slice('/public/build/img/icons/'.length));
        return p.startsWith(ICONS) && existsSync(p) ? file(p) : send(200, PLACEHOLDER_SVG, 'image/svg+xml');
      }
      if (url.pathname.startsWith('/public/fonts/')) return file(/mono/i.test(url.pathname) ? MONO : FONT);
      if (url.pathname.startsWith(PROXY_PREFIX)) {
        // Grafana's session middleware answers 401 before any proxying (a stand-in, not part of the proxy model).
        if (!login) return send(401, JSON.stringify({ message: 'Unauthorized' }), 'application/json');
        const entry = await servePluginProxy(req, res, {
          plugin: pluginJson,
          settings: {
            enabled: true,
            jsonData: { workerUrl: opts.workerUrl() },
            secureJsonData: { apiToken: opts.token },
          },
          user: { ...signedInUser(login, roles[login]), IDToken: await signer.sign(appUrl, login, roles[login]) },
        });
        proxyLog.push(entry);
        return;
      }
      if (url.pathname === '/favicon.ico') return send(204, '');
      return send(404, `no ${url.pathname}`);
    } catch (err) {
      return send(502, String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  appUrl = `http://127.0.0.1:${port}/`;
  return {
    url: `http://127.0.0.1:${port}`,
    /** The worker's identity settings for this stand-in Grafana (GRAFANA_IDENTITY=verify). */
    identity: {
      mode: 'verify' as const,
      jwksUrl: `${appUrl}api/signing-keys/keys`,
      issuer: appUrl,
      audience: 'org:1',
    },
    /** A signed ID token for a direct call to the worker, as that user now. */
    idToken: (login: E2ELogin) => signer.sign(appUrl, login, roles[login]),
    proxyLog,
    /** Changes a user's org role from now on (open pages keep the role they loaded with, as in Grafana). */
    setRole: (login: E2ELogin, role: RoleType) => (roles[login] = role),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const readText = (p: string) => readFileSync(p, 'utf8');
