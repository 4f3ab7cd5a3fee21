import type { SpendLimitChangeResult } from '@cursor-cost-watch/contract';
import type { FastifyRequest } from 'fastify';
import { CursorApiError, CursorValidationError } from '../cursor/errors';
import type { DbOrTx } from '../db/database';
import { appendIncidentEvent } from '../incidents/events';
import { getSettings } from '../settings';
import { featureState } from '../spend-limits/figures';
import { insertChange, toSpendLimitChange, type NewChange } from '../spend-limits/store';
import { actorOf } from './actor';
import { auditedChange } from './audit';
import type { ApiDeps } from './deps';
import { ApiHttpError } from './errors';

const ENDPOINT = 'POST /teams/user-spend-limit';
const shown = (d: number | null) => (d === null ? 'no limit' : `$${d}`);

/** Refuses when the setting spendLimitFeature keeps the feature off (409, the sentence says how to turn it on). */
export async function assertFeatureOn(deps: ApiDeps): Promise<void> {
  const state = featureState((await getSettings(deps.db)).spendLimitFeature, deps.config.demoMode);
  if (!state.enabled) throw new ApiHttpError(409, 'feature_off', state.reason ?? 'Spend-limit changes are off');
}

/** Cursor's failure as the Admin should see it: its status and body as sent, and that nothing changed. */
function cursorFailure(err: unknown): ApiHttpError {
  const unchanged = 'The limit was not changed.';
  if (err instanceof CursorApiError) {
    const body = err.body.trim().slice(0, 500) || '(empty body)';
    return err.status === 429
      ? new ApiHttpError(
          429,
          'cursor_rate_limited',
          `Cursor answered HTTP 429 to ${ENDPOINT} (60 to 250 changes a minute per team): ${body}. ${unchanged} Try again in a minute.`,
        )
      : new ApiHttpError(
          502,
          'cursor_http_error',
          `Cursor answered HTTP ${err.status} to ${ENDPOINT}: ${body}. ${unchanged}`,
        );
  }
  if (err instanceof CursorValidationError)
    return new ApiHttpError(502, 'cursor_bad_answer', `${err.message}. ${unchanged}`);
  const message = err instanceof Error ? err.message : String(err);
  return new ApiHttpError(502, 'cursor_unreachable', `Could not reach Cursor: ${message}. ${unchanged}`);
}

/** Open incidents of the developer: where a change made from the Users page shows on a timeline. */
async function openIncidentIds(db: DbOrTx, email: string): Promise<number[]> {
  const rows = await db
    .selectFrom('incidents')
    .select('id')
    .where('scope', '=', 'user')
    .where('subject', '=', email)
    .where('status', '<>', 'resolved')
    .execute();
  return rows.map((r) => r.id);
}

export interface ChangeRequest {
  email: string;
  dollars: number | null;
  reason: string;
  incidentId: number | null;
  oldDollars: number | null;
  oldKnown: boolean;
  undoOf: number | null;
}

/**
 * Sends the change to Cursor, outside any transaction; only an `outcome: "success"` answer is recorded: the change
 * row, one timeline entry per incident concerned (who, why, old → new) and the api_audit row, in one transaction.
 */
export async function applySpendLimit(
  deps: ApiDeps,
  req: FastifyRequest,
  c: ChangeRequest,
): Promise<SpendLimitChangeResult> {
  if (!deps.cursor)
    throw new ApiHttpError(503, 'cursor_unavailable', 'The worker API was started without a Cursor client');
  let answer: { outcome: string; message: string };
  try {
    answer = await deps.cursor.setUserSpendLimit(c.email, c.dollars);
  } catch (err) {
    deps.log.warn(
      { err: err instanceof Error ? err.message : String(err), email: c.email },
      'spend-limit change failed',
    );
    throw cursorFailure(err);
  }
  if (answer.outcome !== 'success')
    throw new ApiHttpError(
      422,
      'cursor_refused',
      `Cursor answered outcome "${answer.outcome}": ${answer.message || '(no message)'}. The limit was not changed.`,
    );
  const actor = actorOf(req);
  const at = deps.now();
  const record: NewChange = {
    at,
    actor,
    email: c.email,
    incidentId: c.incidentId,
    oldDollars: c.oldDollars,
    oldKnown: c.oldKnown,
    newDollars: c.dollars,
    reason: c.reason,
    cursorMessage: answer.message,
    undoOf: c.undoOf,
  };
  try {
    const row = await auditedChange(deps.db, req, 200, async (tx) => {
      const inserted = await insertChange(tx, record);
      const incidents = c.incidentId !== null ? [c.incidentId] : await openIncidentIds(tx, c.email);
      const from = c.oldKnown ? shown(c.oldDollars) : 'unknown';
      for (const incidentId of incidents)
        await appendIncidentEvent(tx, {
          incidentId,
          actor,
          action: 'spend_limit_changed',
          from: null,
          to: null,
          at,
          details: {
            changeId: inserted.id,
            email: c.email,
            oldDollars: c.oldDollars,
            oldKnown: c.oldKnown,
            newDollars: c.dollars,
            reason: c.reason,
            undoOf: c.undoOf,
            cursorMessage: answer.message,
            note: `Spend limit of ${c.email}: ${from} → ${shown(c.dollars)}. ${c.reason}`,
          },
        });
      return inserted;
    });
    return { change: toSpendLimitChange(row), cursor: { outcome: 'success', message: answer.message } };
  } catch (err) {
    if (err instanceof ApiHttpError) throw err;
    deps.log.error({ err, email: c.email }, 'Cursor applied a spend limit the worker could not record');
    throw new ApiHttpError(
      500,
      'not_recorded',
      `Cursor applied the limit (${shown(c.dollars)} for ${c.email}) but the worker could not record it; see its log. Check the limit in Cursor's dashboard.`,
    );
  }
}
