import pg from 'pg';
import { maskCredentials } from '../config/config';
import { StartupError } from '../config/startup-error';

/**
 * Connects once to the database at DATABASE_URL and, when that fails, says why in one line naming the setting
 * (password masked) and the likely causes. pg's error codes: node's errno for the network, SQLSTATE for the server.
 */
export async function assertDatabaseUsable(url: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {}); // a late socket error after a failed connect must not crash the process
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new StartupError(
      `Cannot use the PostgreSQL at DATABASE_URL=${maskCredentials(url)}: ${likelyCause(err, url)} Or unset DATABASE_URL to use the embedded PostgreSQL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

function likelyCause(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string };
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${where} (connection refused). Is PostgreSQL running, and are the host and port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host "${u.hostname}" is not found. Check the host name in DATABASE_URL.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from ${where} (${e.code}). Check the host, port and any firewall between here and PostgreSQL.`;
    case '28P01':
      return `password authentication failed for user "${decodeURIComponent(u.username)}". Check the user name and password in DATABASE_URL.`;
    case '28000':
      return `the server refused this user or address (${e.message}). Check the user in DATABASE_URL and the server's pg_hba.conf.`;
    case '3D000':
      return `the database "${u.pathname.slice(1)}" does not exist. Create it (createdb) or fix its name in DATABASE_URL.`;
    case '57P03':
      return 'PostgreSQL is starting up or shutting down. Try again in a moment.';
  }
  const message = e.message ?? String(err);
  if (/timeout/i.test(message))
    return `no answer from ${where} within the timeout. Check the host, port and any firewall between here and PostgreSQL.`;
  if (/SSL/i.test(message)) return `${message}. Check the sslmode in DATABASE_URL.`;
  return `${message}.`;
}
