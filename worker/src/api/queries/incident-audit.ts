import type { TimelineEntry } from '@cursor-cost-watch/contract';
import type { DbOrTx } from '../../db/database';

const ACTION = { spend_limit: 'spend-limit change', membership: 'membership change' } as const;

/**
 * Spend-limit and membership changes from Cursor's audit log (sql/007_audit_logs.sql) that concern the incident's
 * developers and fall inside its episode (onset to resolution, or now), as timeline entries. They are not incident
 * events: their ids are negative so they never collide with one, and details say where they come from.
 */
export async function auditTimelineEntries(
  db: DbOrTx,
  inc: { scope: string; subject: string; onset_at: Date; resolved_at: Date | null },
  now: Date,
): Promise<TimelineEntry[]> {
  if (inc.scope !== 'user') return [];
  const rows = await db
    .selectFrom('audit_logs')
    .select(['event_id', 'event_ts', 'event_type', 'category', 'actor_email', 'event_data'])
    .where('target_email', '=', inc.subject)
    .where('category', 'in', ['spend_limit', 'membership'])
    .where('event_ts', '>=', inc.onset_at)
    .where('event_ts', '<=', inc.resolved_at ?? now)
    .orderBy('event_ts')
    .limit(50)
    .execute();
  return rows.map((r, i) => {
    const data = (r.event_data ?? {}) as Record<string, unknown>;
    const what = typeof data.setting_name === 'string' ? data.setting_name : r.event_type;
    const change =
      'new_value' in data ? ` ${JSON.stringify(data.old_value ?? null)} → ${JSON.stringify(data.new_value)}` : '';
    return {
      id: -(i + 1),
      at: r.event_ts.toISOString(),
      actor: r.actor_email ?? 'Cursor',
      action: ACTION[r.category as keyof typeof ACTION],
      fromStatus: null,
      toStatus: null,
      details: {
        source: 'cursor_audit_log',
        eventId: r.event_id,
        eventType: r.event_type,
        note: `${what}${change} (Cursor audit log)`,
        data,
      },
    };
  });
}
