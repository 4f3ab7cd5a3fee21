import { freePort } from '../../src/db/embedded';
import { spawnCli, waitFor } from '../support/child';

describe('npm run simulate', () => {
  it('--truth prints the injected anomalies as JSON and exits', async () => {
    const run = spawnCli('simulate.ts', { LOG_LEVEL: 'silent' }, ['--size', '40', '--seed', '3', '--truth']);
    expect(await run.exited).toBe(0);
    const truth = JSON.parse(run.output());
    expect(Array.isArray(truth)).toBe(true);
    expect(truth.length).toBeGreaterThan(0);
    for (const a of truth) {
      expect(a).toMatchObject({
        id: expect.any(String),
        kind: expect.any(String),
        startDay: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect(a.extraCents).toBeGreaterThanOrEqual(0);
    }
  });

  it('serves the API on the port and key given, and prints what to put in .env', async () => {
    const port = await freePort();
    const key = 'key_' + 'ab'.repeat(32);
    const run = spawnCli('simulate.ts', {}, ['--size', '12', '--port', String(port), '--key', key]);
    try {
      const members = await waitFor(
        'the simulator to answer',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/teams/members`, {
            headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
          });
          return res.ok ? ((await res.json()) as { teamMembers: unknown[] }) : undefined;
        },
        30_000,
        200,
      );
      expect(members.teamMembers.length).toBeGreaterThanOrEqual(12);
      expect(run.output()).toContain(`CURSOR_ADMIN_API_KEY=${key}`);
      expect(run.output()).toContain(`CURSOR_API_BASE_URL=http://127.0.0.1:${port}`);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });
});
