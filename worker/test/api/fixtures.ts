import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Db } from '../../src/db/database';

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);
export const daysBefore = (now: Date, n: number) => dayOf(new Date(now.getTime() - n * DAY_MS));

export interface SeedIncident {
  scope?: 'user' | 'team';
  subject: string;
  detector: string;
  status?: 'open' | 'alerted' | 'acknowledged' | 'resolved';
  severity?: 'info' | 'warning' | 'critical';
  onset: Date;
  detected?: Date;
  resolved?: Date | null;
  impactCents?: number;
  observed?: number;
  expected?: number;
}

export async function seedIncident(db: Db, s: SeedIncident): Promise<number> {
  const detected = s.detected ?? new Date(s.onset.getTime() + 6 * 3_600_000);
  const status = s.status ?? 'open';
  const row = await db
    .insertInto('incidents')
    .values({
      scope: s.scope ?? 'user',
      subject: s.subject,
      detector: s.detector,
      status,
      severity: s.severity ?? 'warning',
      max_severity: s.severity ?? 'warning',
      onset_at: s.onset,
      detected_at: detected,
      last_detected_at: detected,
      alerted_at: status === 'open' ? null : new Date(detected.getTime() + 60_000),
      resolved_at: s.resolved ?? (status === 'resolved' ? new Date(detected.getTime() + DAY_MS) : null),
      resolved_by: status === 'resolved' ? 'detector' : null,
      resolution_reason: status === 'resolved' ? 'auto' : null,
      observed: s.observed ?? 9000,
      expected: s.expected ?? 1500,
      band_low: (s.expected ?? 1500) * 0.5,
      band_high: (s.expected ?? 1500) * 1.6,
      unit: 'cents',
      impact_cents: s.impactCents ?? 7500,
      top_model: 'claude-4-opus',
      why: JSON.stringify({
        driver: 'model_mix',
        volumeFactor: 1.1,
        costPerRequestFactor: 5.2,
        topModel: 'claude-4-opus',
      }),
      summary: `${s.subject} ${s.detector}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('incident_events')
    .values({
      incident_id: row.id,
      actor: 'detector',
      action: 'opened',
      from_status: null,
      to_status: 'open',
      details: '{}',
      at: detected,
    })
    .execute();
  return row.id;
}

/** Members with this cycle's spend, 40 days of daily rollups, and model rollups (cheap model, then opus after `shiftDay`). */
export async function seedTeam(db: Db, now: Date, opts: { shiftEmail?: string; shiftDaysAgo?: number } = {}) {
  const cycleStart = new Date('2026-11-01T00:00:00Z');
  const people = [
    { email: 'alice@example.com', name: 'Alice Lane', spend: 42_000 },
    { email: 'bob@example.com', name: 'Bob Stone', spend: 12_500 },
    { email: 'carol@example.com', name: 'Carol Diaz', spend: 88_000 },
    { email: "o'brien@example.com", name: "Dan O'Brien", spend: 500 },
  ];
  await db
    .insertInto('members')
    .values(people.map((p) => ({ email: p.email, name: p.name, role: 'member' })))
    .execute();
  await db
    .insertInto('member_spend')
    .values(
      people.map((p) => ({
        email: p.email,
        cycle_start: cycleStart,
        spend_cents: p.spend,
        overall_spend_cents: p.spend + 2000,
      })),
    )
    .execute();
  await db.insertInto('billing_groups').values({ group_id: 'grp-platform', name: 'Platform' }).execute();
  await db
    .insertInto('billing_group_members')
    .values([
      { group_id: 'grp-platform', email: 'alice@example.com' },
      { group_id: 'grp-platform', email: 'bob@example.com' },
    ])
    .execute();
  const rollups = [];
  const models = [];
  for (const p of people) {
    for (let i = 0; i < 40; i++) {
      const day = daysBefore(now, i);
      const shifted = p.email === opts.shiftEmail && i <= (opts.shiftDaysAgo ?? 3);
      const cents = shifted ? 9000 : 1500;
      rollups.push({
        user_email: p.email,
        day,
        events: 100,
        charged_cents: cents,
        requests_costs: 100,
        input_tokens: 1000,
        output_tokens: 500,
      });
      models.push({
        user_email: p.email,
        day,
        model: shifted ? 'claude-4-opus' : 'gpt-5-mini',
        events: 100,
        charged_cents: cents,
      });
    }
  }
  await db.insertInto('user_daily_rollup').values(rollups).execute();
  await db.insertInto('user_model_daily_rollup').values(models).execute();
  return { cycleStart, people };
}
