import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP receiver on 127.0.0.1. While `down` is true it answers 503, as Slack or a bridge does in an outage. */
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

/** A real SMTP server on 127.0.0.1 that keeps every message it accepts, raw. */
export async function startSmtpReceiver() {
  const messages: { from: string; to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.server.address() as AddressInfo;
  return { port, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Polls until `check` holds or the time is up; returns whether it held. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
