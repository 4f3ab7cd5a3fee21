import { createReadStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const ROOT = path.resolve(__dirname, '../..');
const ICONS = path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons');
const FONT = path.join(ROOT, 'node_modules/@fontsource/inter/files/inter-latin-400-normal.woff2');
const MONO = path.join(ROOT, 'node_modules/@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff2');
const PROXY_PREFIX = '/api/plugin-proxy/cursorwatch-cost-app';
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

function page(theme: 'light' | 'dark') {
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
      orgRole: 'Admin',
      isGrafanaAdmin: false,
      login: 'e2e.admin',
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
 * Serves the host page and bundle, Grafana's icons and fonts, and stands in for Grafana's plugin proxy: requests to
 * /api/plugin-proxy/<id>/api/* go to the worker with the token and X-Grafana-Context added server-side.
 */
export async function startHostServer(opts: { bundleDir: string; workerUrl: string; token: string }) {
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
      if (url.pathname.startsWith('/a/'))
        return send(200, page(url.searchParams.get('theme') === 'dark' ? 'dark' : 'light'), 'text/html');
      if (url.pathname.startsWith('/host/')) {
        const p = path.join(opts.bundleDir, path.basename(url.pathname));
        return existsSync(p) ? file(p) : send(404, 'not built');
      }
      if (url.pathname.startsWith('/public/build/img/icons/')) {
        const p = path.join(ICONS, url.pathname.slice('/public/build/img/icons/'.length));
        return p.startsWith(ICONS) && existsSync(p) ? file(p) : send(200, PLACEHOLDER_SVG, 'image/svg+xml');
      }
      if (url.pathname.startsWith('/public/fonts/')) return file(/mono/i.test(url.pathname) ? MONO : FONT);
      if (url.pathname.startsWith(PROXY_PREFIX + '/')) {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const upstream = await fetch(opts.workerUrl + url.pathname.slice(PROXY_PREFIX.length) + url.search, {
          method: req.method,
          headers: {
            authorization: `Bearer ${opts.token}`,
            'x-grafana-context': JSON.stringify({ UserID: 1, Login: 'e2e.admin', OrgRole: 'Admin' }),
            ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
          },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        return send(
          upstream.status,
          Buffer.from(await upstream.arrayBuffer()),
          upstream.headers.get('content-type') ?? 'application/json'
        );
      }
      if (url.pathname === '/favicon.ico') return send(204, '');
      return send(404, `no ${url.pathname}`);
    } catch (err) {
      return send(502, String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export const readText = (p: string) => readFileSync(p, 'utf8');
