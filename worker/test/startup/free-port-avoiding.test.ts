import net from 'node:net';
import { StartupError, freePortAvoiding } from '../../src/config/startup-error';

/** True when a server can listen on 127.0.0.1:port now. */
async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

describe('freePortAvoiding (the simulated Cursor API on SIM_PORT=0)', () => {
  it("asks the kernel again when its pick is one of the worker's own ports, and returns a free one", async () => {
    // The CI failure this mends: the kernel gave the simulator the port the smoke had picked for WORKER_API_PORT.
    // Here the first port the kernel offers stands in for that port: it is avoided, whatever it is.
    const offered: number[] = [];
    const avoid = {
      has: (port: number) => {
        offered.push(port);
        return offered.length === 1;
      },
    };
    const port = await freePortAvoiding('127.0.0.1', avoid);
    expect(offered).toHaveLength(2);
    expect(port).toBe(offered[1]);
    expect(port).not.toBe(offered[0]);
    // Nothing is left held: both ports are free again.
    expect(await canListen(offered[0])).toBe(true);
    expect(await canListen(port)).toBe(true);
  });

  it('takes the first pick when it is not avoided', async () => {
    const port = await freePortAvoiding('127.0.0.1', new Set([0]));
    expect(port).toBeGreaterThan(0);
    expect(await canListen(port)).toBe(true);
  });

  it('gives up with a message naming SIM_PORT when every pick is avoided', async () => {
    const error = await freePortAvoiding('127.0.0.1', { has: () => true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/set SIM_PORT to a free port/);
  });
});
