import type { Snooze } from '@cursor-cost-watch/contract';
import { createSnooze, deleteSnooze, listSnoozes, type SnoozeRow } from '../../incidents';
import { actorOf } from '../actor';
import { auditedChange } from '../audit';
import type { ApiDeps } from '../deps';
import { Reply, type RouteHandlers } from '../route';

const toSnooze = (s: SnoozeRow): Snooze => ({
  id: s.id,
  scope: s.scope,
  subject: s.subject,
  until: s.until.toISOString(),
  reason: s.reason,
  createdBy: s.created_by,
  createdAt: s.created_at.toISOString(),
});

export function snoozeHandlers({
  db,
  now,
}: ApiDeps): Pick<RouteHandlers, 'listSnoozes' | 'createSnooze' | 'deleteSnooze'> {
  return {
    listSnoozes: async () => ({ items: (await listSnoozes(db, { activeAt: now() })).map(toSnooze) }),
    createSnooze: async ({ body }, req) => {
      const row = await auditedChange(db, req, 201, (tx) => createSnooze(tx, body, actorOf(req), now()));
      return new Reply(201, toSnooze(row));
    },
    deleteSnooze: async ({ params: { id } }, req) => {
      await auditedChange(db, req, 200, (tx) => deleteSnooze(tx, id, actorOf(req)));
      return { ok: true as const };
    },
  };
}
