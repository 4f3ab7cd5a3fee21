import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  destroy?: boolean;
};

/** A real HTTP server on 127.0.0.1 whose answers a test scripts; it records every request. */
export async function scriptedServer(handler: (req: Recorded, n: number) => Reply | Promise<Reply>) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(rec);
      Promise.resolve()
        .then(() => handler(rec, requests.length))
        .then(
          (reply) => {
            if (reply.destroy) return req.socket.destroy();
            res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
            res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
          },
          // A script that throws answers 500 with its error, so the test fails on it instead of hanging.
          (error: unknown) =>
            res.writeHead(500, { 'content-type': 'text/plain' }).end(`test script failed: ${String(error)}`),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
