import { sql } from 'kysely';
import type { AuditLogEvent } from '../cursor/schemas';
import type { DbOrTx } from '../db/database';

export type AuditCategory = 'spend_limit' | 'membership' | 'other';

const TARGET_KEYS = ['target_email', 'member_email', 'user_email', 'email', 'targetEmail', 'memberEmail', 'userEmail'];

/**
 * What an audit event is about. Cursor documents `event_data` as free-form (`settings_changed` with setting_name,
 * old_value, new_value); other type names are not documented, so this reads them by words, not by a fixed list.
 */
export function classifyAuditEvent(e: AuditLogEvent): { category: AuditCategory; targetEmail: string | null } {
  const data = e.event_data ?? {};
  const target = TARGET_KEYS.map((k) => data[k]).find((v): v is string => typeof v === 'string' && v.includes('@'));
  const text = `${e.event_type} ${typeof data.setting_name === 'string' ? data.setting_name : ''}`.toLowerCase();
  const category: AuditCategory = /spend.?limit|spending.?limit|hard.?limit|usage.?limit/.test(text)
    ? 'spend_limit'
    : /member|user_(added|removed|invited|deleted|joined)|role|seat|invite/.test(text)
      ? 'membership'
      : 'other';
  return { category, targetEmail: target?.toLowerCase() ?? null };
}

/** Stores audit events; an event already stored (same event_id) is left as it is. Returns how many were new. */
export async function storeAuditEvents(db: DbOrTx, events: AuditLogEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const unique = new Map(events.map((e) => [e.event_id, e]));
  const res = await db
    .insertInto('audit_logs')
    .values(
      [...unique.values()].map((e) => {
        const { category, targetEmail } = classifyAuditEvent(e);
        return {
          event_id: e.event_id,
          event_ts: new Date(e.timestamp),
          event_type: e.event_type,
          category,
          actor_email: e.user_email?.toLowerCase() ?? null,
          target_email: targetEmail,
          event_data: e.event_data ? JSON.stringify(e.event_data) : null,
          collected_at: new Date(),
        };
      }),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning(sql<number>`1`.as('one'))
    .execute();
  return res.length;
}
