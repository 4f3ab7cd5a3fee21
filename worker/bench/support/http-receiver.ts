import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/**
 * A real HTTP receiver on 127.0.0.1, as a Slack webhook or an alert bridge: it keeps each JSON body with its path and
 * headers and answers 200. While `state.down` it answers 503, as they do in an outage; `state.delayMs` slows each
 * answer. Used by the notification tests and by bench:detect-incidents --notify.
 */
export async function startHttpReceiver() {
  const received: Received[] = [];
  const state = { down: false, refused: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    const answer = async () => {
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.down) {
        state.refused += 1;
        res.writeHead(503).end('down for maintenance');
        return;
      }
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
    // A body that is not JSON answers 500 with the reason, so the test fails on it instead of hanging.
    req.on('end', () => {
      answer().catch((error: unknown) => res.writeHead(500).end(`receiver failed: ${String(error)}`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/T000/B000/secret`,
    received,
    state,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
