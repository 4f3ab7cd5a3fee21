/**
 * Sends what planProxyRequest decided over real HTTP (node:http), the way httputil.ReverseProxy does: the request line
 * is written verbatim (no URL normalisation), the answer streamed back with proxyResponseHeaders, a failed upstream
 * answered by proxyutil's errorHandler status with an empty body.
 */
import http from 'node:http';
import https from 'node:https';
import {
  planProxyRequest,
  proxyErrorStatus,
  proxyResponseHeaders,
  type ProxyDecision,
  type ProxyOptions,
} from './pluginProxy';

export interface ProxyLogEntry {
  method: string;
  rawUrl: string;
  role: string;
  status: number;
  /** `METHOD requestUri` sent upstream, when forwarded. */
  upstream?: string;
  why?: string;
}

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) {
    chunks.push(c as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('latin1') : undefined;
}

/** Answers one `/api/plugin-proxy/…` request as Grafana would; resolves with what happened (for logs and checks). */
export async function servePluginProxy(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: ProxyOptions & { timeoutMs?: number },
): Promise<ProxyLogEntry> {
  const body = await readBody(req);
  const decision: ProxyDecision = planProxyRequest(
    {
      method: req.method ?? 'GET',
      rawUrl: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
      body,
    },
    opts,
  );
  const entry: ProxyLogEntry = {
    method: req.method ?? 'GET',
    rawUrl: req.url ?? '/',
    role: opts.user.OrgRole,
    status: 0,
  };
  if (decision.kind === 'respond') {
    res.writeHead(decision.status, decision.headers);
    res.end(decision.body);
    return { ...entry, status: decision.status, why: decision.why };
  }
  entry.upstream = `${decision.method} ${decision.requestUri}`;
  const [hostname, port] = splitHostPort(decision.host);
  const client = decision.protocol === 'https:' ? https : http;
  return new Promise<ProxyLogEntry>((resolve) => {
    const upstream = client.request(
      {
        protocol: decision.protocol,
        hostname,
        port,
        method: decision.method,
        path: decision.requestUri,
        headers: decision.headers,
        timeout: opts.timeoutMs ?? 30_000,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, proxyResponseHeaders(up.headers));
        up.pipe(res);
        up.on('end', () => resolve({ ...entry, status: up.statusCode ?? 502 }));
      },
    );
    upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      const status = proxyErrorStatus(err, req.socket.destroyed);
      if (!res.headersSent) {
        res.writeHead(status);
      }
      res.end();
      resolve({ ...entry, status, why: err.message });
    });
    if (decision.body !== undefined) {
      upstream.write(Buffer.from(decision.body, 'latin1'));
    }
    upstream.end();
  });
}

function splitHostPort(host: string): [string, number | undefined] {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return m ? [m[1].replace(/^\[|\]$/g, ''), m[2] ? Number(m[2]) : undefined] : [host, undefined];
}
