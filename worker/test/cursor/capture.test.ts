import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectOnce } from '../../src/collector/collect';
import { captureSamples, redactSample } from '../../src/cursor/capture';
import { createTestDb, dropTestDb } from '../support/test-db';
import { silentLog, startTestSimulator, testClient } from '../support/sim';

describe('CURSOR_CAPTURE_DIR samples', () => {
  it('saves one redacted page per endpoint: emails hashed, names removed, arrays cut', async () => {
    const sim = await startTestSimulator({ teamSize: 12, seed: 8, nowMs: Date.UTC(2026, 10, 20, 9) });
    const t = await createTestDb('capture');
    const dir = mkdtempSync(path.join(tmpdir(), 'cw-capture-'));
    try {
      const client = testClient(sim.server.url, { observe: captureSamples(dir, () => new Date(sim.nowMs)) });
      const s = await collectOnce(
        { db: t.db, client, log: silentLog, config: { BACKFILL_DAYS: 2, RESTATE_DAYS: 1 } },
        { trigger: 'test', now: new Date(sim.nowMs) },
      );
      expect(s.errors).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual([
        'get-teams-audit-logs.json',
        'get-teams-groups.json',
        'get-teams-members.json',
        'post-teams-daily-usage-data.json',
        'post-teams-filtered-usage-events.json',
        'post-teams-spend.json',
      ]);
      const all = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
      for (const m of sim.team.apiMembers()) {
        for (const text of all) {
          expect(text).not.toContain(m.email);
          if (m.name) expect(text).not.toContain(`"${m.name}"`);
        }
      }
      const events = JSON.parse(readFileSync(path.join(dir, 'post-teams-filtered-usage-events.json'), 'utf8'));
      expect(events).toMatchObject({
        endpoint: 'POST /teams/filtered-usage-events',
        capturedAt: '2026-11-20T09:00:00.000Z',
      });
      expect(events.body.usageEvents.length).toBeLessThanOrEqual(20);
      expect(events.body.usageEvents[0].userEmail).toMatch(/^sha256:[0-9a-f]{12}@redacted$/);
      expect(events.body.usageEvents[0]).toHaveProperty('chargedCents');
      const members = JSON.parse(readFileSync(path.join(dir, 'get-teams-members.json'), 'utf8'));
      expect(members.body.teamMembers[0]).not.toHaveProperty('name');
      expect(members.body.teamMembers[0]).toHaveProperty('role');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sim.server.close();
      await dropTestDb(t);
    }
  });

  it('keeps the same person recognisable across samples', () => {
    const a = redactSample({ userEmail: 'Ann@Co.com', name: 'Ann', list: [{ email: 'ann@co.com' }] }) as {
      userEmail: string;
      list: { email: string }[];
    };
    expect(a).not.toHaveProperty('name');
    expect(a.userEmail).toBe(a.list[0].email);
  });
});
