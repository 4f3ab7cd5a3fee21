import { incidentDetailSchema } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { seedIncident, seedTeam } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

const D = 86_400_000;
let api: TestApi;
let carol: number;

beforeAll(async () => {
  api = await startTestApi();
  const db = api.t.db;
  await seedTeam(db, NOW, { shiftEmail: 'carol@example.com', shiftDaysAgo: 3 });
  carol = await seedIncident(db, {
    subject: 'carol@example.com',
    detector: 'model_shift',
    severity: 'critical',
    onset: new Date(NOW.getTime() - 3 * D),
    impactCents: 30_000,
    status: 'alerted',
  });
  const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * D).toISOString();
  await sql`
    INSERT INTO audit_logs (event_id, event_ts, event_type, category, actor_email, target_email, event_data) VALUES
      ('e1', ${at(2)}, 'settings_changed', 'spend_limit', 'lead@example.com', 'carol@example.com',
       '{"setting_name": "user_spend_limit", "old_value": 100, "new_value": 300}'),
      ('e2', ${at(10)}, 'member_added', 'membership', 'lead@example.com', 'carol@example.com', '{}'),
      ('e3', ${at(1)}, 'settings_changed', 'spend_limit', 'lead@example.com', 'alice@example.com', '{}'),
      ('e4', ${at(1)}, 'login', 'other', 'carol@example.com', 'carol@example.com', '{}')`.execute(db);
});
afterAll(() => api.close());

it("shows the developer's spend-limit changes inside the episode on the incident timeline, nothing else", async () => {
  const d = incidentDetailSchema.parse((await api.call('GET', `/api/incidents/${carol}`)).json);
  const audit = d.timeline.filter((e) => e.details.source === 'cursor_audit_log');
  expect(audit).toEqual([
    expect.objectContaining({
      at: new Date(NOW.getTime() - 2 * D).toISOString(),
      actor: 'lead@example.com',
      action: 'spend-limit change',
      details: expect.objectContaining({ eventId: 'e1', note: 'user_spend_limit 100 → 300 (Cursor audit log)' }),
    }),
  ]);
  expect(d.timeline.map((e) => e.at)).toEqual([...d.timeline.map((e) => e.at)].sort());
  expect(new Set(d.timeline.map((e) => e.id)).size).toBe(d.timeline.length);
});
