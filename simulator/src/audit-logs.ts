import { createHash } from 'node:crypto';
import type { ApiAuditLogEvent } from './wire';
import { DAY_MS } from './days';
import type { SimulatedTeam } from './types';

/** A spend limit set through POST /teams/user-spend-limit, kept by the server for the audit log. */
export interface SpendLimitChange {
  at: number;
  actorEmail: string;
  email: string;
  dollars: number | null;
}

const eventId = (text: string) => `evt_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;

/**
 * The team's audit log, in the shape of Cursor's docs ("Get Audit Logs": snake_case fields, ISO timestamps,
 * free-form event_data). Event type names beyond the documented `settings_changed` and `login` are not documented;
 * these are our guesses: members added and removed, and an admin raising the spend limit of each developer of a
 * labelled anomaly the day after it began (what a lead does when a runaway agent hits the limit).
 */
export function auditLogEvents(team: SimulatedTeam, changes: SpendLimitChange[]): ApiAuditLogEvent[] {
  const now = team.now();
  const members = team.members();
  const admin = members.find((m) => m.role === 'owner')?.email ?? 'admin@example.com';
  const out: ApiAuditLogEvent[] = [];
  const push = (at: number, type: string, actor: string, data: Record<string, unknown>) => {
    if (at > now) return;
    out.push({
      event_id: eventId(`${type}|${at}|${JSON.stringify(data)}`),
      timestamp: new Date(at).toISOString(),
      user_email: actor,
      event_type: type,
      event_data: data,
    });
  };
  members.forEach((m, i) => {
    const joined = Date.parse(`${m.joinedDay}T09:00:00Z`) + ((i * 7) % 300) * 60_000;
    push(joined, 'member_added', admin, { member_email: m.email, role: m.role });
    if (m.leftDay) push(Date.parse(`${m.leftDay}T10:00:00Z`), 'member_removed', admin, { member_email: m.email });
  });
  for (const a of team.truth()) {
    if (a.scope !== 'user' || !a.email) continue;
    push(Date.parse(`${a.startDay}T11:00:00Z`) + DAY_MS, 'settings_changed', admin, {
      setting_name: 'user_spend_limit',
      target_email: a.email,
      old_value: 100,
      new_value: 300,
    });
  }
  for (const c of changes)
    push(c.at, 'settings_changed', c.actorEmail, {
      setting_name: 'user_spend_limit',
      target_email: c.email,
      new_value: c.dollars,
    });
  // Newest first, as audit logs are read.
  return out.sort((a, b) => Date.parse(String(b.timestamp)) - Date.parse(String(a.timestamp)));
}
