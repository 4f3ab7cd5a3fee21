import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export { startHttpReceiver, type Received } from '../../bench/support/http-receiver';

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
