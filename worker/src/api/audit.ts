import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Generated, Kysely } from 'kysely';
import type { Database, Db } from '../db/database';
import type { Logger } from '../config/log';
import { actorOf } from './actor';

/** sql/003_api_audit.sql; kept beside the API, its only writer and reader. */
export interface ApiAuditTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor: string;
  method: string;
  route: string;
  path: string;
  status_code: number;
  request: string;
}
export type AuditDb = Kysely<Database & { api_audit: ApiAuditTable }>;

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * An onSend hook (so the row is written before the caller sees the answer): one api_audit row per change attempted
 * through the API, refused ones included; unauthenticated attempts are not changes and are left out.
 */
export function auditChanges(db: Db, log: Logger) {
  const adb = db as unknown as AuditDb;
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!CHANGES.has(req.method) || !req.url.startsWith('/api/') || reply.statusCode === 401) return payload;
    try {
      await adb
        .insertInto('api_audit')
        .values({
          actor: actorOf(req),
          method: req.method,
          route: req.routeOptions.url ?? req.url.split('?')[0],
          path: req.url.split('?')[0],
          status_code: reply.statusCode,
          request: JSON.stringify(req.body ?? {}),
        })
        .execute();
    } catch (err) {
      log.error({ err, path: req.url }, 'could not write the API audit row');
    }
    return payload;
  };
}
