import type { FastifyReply, FastifyRequest } from 'fastify';
import { CompiledQuery, type Generated, type Kysely, type Transaction } from 'kysely';
import type { PgBoss } from 'pg-boss';

type BossExecutor = NonNullable<NonNullable<Parameters<PgBoss['send']>[2]>['db']>;
import type { Database, Db, DbOrTx, Tx } from '../db/database';
import type { Logger } from '../config/log';
import { identityOf } from './actor';
import type { IdentitySource } from '../db/schema/detection';
import { storableJson } from '../db/storable-text';

/** sql/003_api_audit.sql; kept beside the API, its only writer and reader. */
export interface ApiAuditTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor: string;
  /** sql/012_identity.sql */
  identity_verified: Generated<boolean>;
  identity_source: Generated<IdentitySource>;
  actor_role: string | null;
  method: string;
  route: string;
  path: string;
  status_code: number;
  request: string;
}
type AuditDatabase = Database & { api_audit: ApiAuditTable };
export type AuditDb = Kysely<AuditDatabase>;

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Requests whose audit row was committed with their change; the onSend hook leaves them alone. */
const auditedWithChange = new WeakSet<FastifyRequest>();

/** Inserts the request's api_audit row. Never fails on content: the body is made storable and bounded first. */
async function insertAuditRow(db: DbOrTx, req: FastifyRequest, statusCode: number): Promise<void> {
  const adb = db as unknown as AuditDb | Transaction<AuditDatabase>;
  const path = req.url.split('?')[0];
  const who = identityOf(req);
  await adb
    .insertInto('api_audit')
    .values({
      actor: who.actor,
      identity_verified: who.verified,
      identity_source: who.source,
      actor_role: who.role,
      method: req.method,
      route: req.routeOptions.url ?? path,
      path,
      status_code: statusCode,
      request: JSON.stringify(storableJson(req.body ?? {})),
    })
    .execute();
}

/**
 * Runs a change and writes its api_audit row in one transaction: if the row cannot be written the change is rolled
 * back, so no change is ever without its row. `statusCode` is the answer the route gives on success.
 */
export async function auditedChange<T>(
  db: Db,
  req: FastifyRequest,
  statusCode: number,
  change: (tx: Tx) => Promise<T>,
): Promise<T> {
  const result = await db.transaction().execute(async (tx) => {
    const value = await change(tx);
    await insertAuditRow(tx, req, statusCode);
    return value;
  });
  auditedWithChange.add(req);
  return result;
}

/** pg-boss's executor over a Kysely transaction, so a job is sent in the same transaction as its audit row. */
export function pgBossIn(tx: Tx): BossExecutor {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const res = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: res.rows as unknown[] };
    },
  };
}

/**
 * An onSend hook (so the row is written before the caller sees the answer): one api_audit row per change attempted
 * through the API that auditedChange did not already record: refusals, failures, and actions that change nothing in
 * the database (a test message, a preview). Unauthenticated attempts are not changes and are left out.
 */
export function auditChanges(db: Db, log: Logger) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!CHANGES.has(req.method) || !req.url.startsWith('/api/') || reply.statusCode === 401) return payload;
    if (auditedWithChange.has(req)) return payload;
    try {
      await insertAuditRow(db, req, reply.statusCode);
    } catch (err) {
      log.error({ err, path: req.url }, 'could not write the API audit row');
    }
    return payload;
  };
}
