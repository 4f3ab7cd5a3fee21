import net from 'node:net';

/**
 * A startup failure the user fixes by changing a setting or their machine: the CLI prints its message alone, one
 * line naming what to change, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Fails with a message naming `setting` when something already listens on host:port. */
export async function assertPortFree(host: string, port: number, setting: string, what: string): Promise<void> {
  if (port === 0) return; // the kernel picks a free one
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(portError(err, host, port, setting, what)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The one-line message for a failed listen, or the error itself when it is not about the port. */
export function portError(err: NodeJS.ErrnoException, host: string, port: number, setting: string, what: string) {
  if (err.code === 'EADDRINUSE')
    return new StartupError(
      `Port ${port} on ${host} is already in use, so ${what} cannot listen there: stop the program using it, or set ${setting} to a free port.`,
    );
  if (err.code === 'EACCES')
    return new StartupError(
      `Port ${port} on ${host} needs administrator rights, so ${what} cannot listen there: set ${setting} to a port above 1023.`,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new StartupError(
      `${host} is not an address of this machine, so ${what} cannot listen there: change the host setting (such as WORKER_API_HOST).`,
    );
  return err;
}

/**
 * A port the kernel hands out on `host` that is none of `avoid`: the simulated Cursor API on SIM_PORT=0 must not take
 * the worker API's or the embedded PostgreSQL's port, which are only bound after it (a free-port pick in the ephemeral
 * range, as a test harness makes, would otherwise collide now and then). An avoided port stays held while the kernel
 * is asked again, so each ask gets a new one.
 */
export async function freePortAvoiding(host: string, avoid: { has(port: number): boolean }): Promise<number> {
  const held: net.Server[] = [];
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0, exclusive: true }, () => resolve());
      });
      held.push(server);
      const port = (server.address() as net.AddressInfo).port;
      if (!avoid.has(port)) return port;
    }
    throw new StartupError(
      `No free port on ${host} outside the worker's own after 20 tries: set SIM_PORT to a free port.`,
    );
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
