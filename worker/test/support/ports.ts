import { freePortAvoiding } from '../../src/config/startup-error';

/**
 * `n` distinct free ports on 127.0.0.1. Two freePort() calls in a row can return the same port, since neither is bound
 * until the program under test starts (embedded-lifecycle.test.ts's worker API and embedded PostgreSQL got the same
 * one in CI, Dec 5 2026 00:30 UTC).
 */
export async function freePorts(n: number): Promise<number[]> {
  const taken = new Set<number>();
  while (taken.size < n) taken.add(await freePortAvoiding('127.0.0.1', taken));
  return [...taken];
}
