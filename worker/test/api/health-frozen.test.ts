import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { healthSchema } from '@cursor-cost-watch/contract';
import { startApi } from '../../src/api/server';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { createDb } from '../../src/db/pool';

/**
 * A frozen database: a TCP server that accepts connections and never says a word, as a PostgreSQL host that is
 * stopped (SIGSTOP), swapping or behind a dead network looks to a client.
 */
describe('/healthz while the database is frozen', () => {
  it('answers 503 with the reason within its timeout instead of hanging', async () => {
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const port = (blackHole.address() as AddressInfo).port;
    const handle = createDb(`postgres://frozen:frozen@127.0.0.1:${port}/frozen`, 2);
    const { app, url } = await startApi({
      db: handle.db,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      log: createLogger('silent'),
      host: '127.0.0.1',
      port: 0,
      healthTimeoutMs: 500,
    });
    try {
      const started = Date.now();
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(healthSchema.parse(await res.json())).toEqual({
        ok: false,
        database: false,
        reason: 'the database did not answer within 500 ms',
      });
      expect(elapsed).toBeLessThan(4000); // bounded by the timeout, not by the pool's 10 s connect timeout
      expect(sockets.length).toBeGreaterThan(0); // it really tried the frozen server
    } finally {
      await app.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackHole.close(r));
      await handle.close().catch(() => {});
    }
  });
});
