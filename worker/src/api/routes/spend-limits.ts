import { getSettings } from '../../settings';
import { findChange, latestChanges } from '../../spend-limits/store';
import type { ApiDeps } from '../deps';
import { ApiHttpError } from '../errors';
import { incidentFor, limitInForce, spendLimitInfo } from '../queries/spend-limit-info';
import { applySpendLimit, assertFeatureOn } from '../spend-limit-apply';
import type { RouteHandlers } from '../route';

/** Per-developer spend limits through Cursor's POST /teams/user-spend-limit (issue 15). Admin-only changes. */
export function spendLimitHandlers(
  deps: ApiDeps,
): Pick<RouteHandlers, 'getSpendLimit' | 'changeSpendLimit' | 'undoSpendLimitChange'> {
  const { db, now, config } = deps;
  return {
    getSpendLimit: async ({ params: { email }, query: { incidentId } }) => {
      return spendLimitInfo(db, email, {
        now: now(),
        settings: await getSettings(db),
        demoMode: config.demoMode,
        incidentId,
      });
    },

    changeSpendLimit: async ({ body }, req) => {
      await assertFeatureOn(deps);
      if (body.incidentId !== undefined) await incidentFor(db, body.incidentId, body.email);
      const old = await limitInForce(db, body.email);
      return applySpendLimit(deps, req, {
        email: body.email,
        dollars: body.spendLimitDollars,
        reason: body.reason,
        incidentId: body.incidentId ?? null,
        oldDollars: old.known ? old.dollars : null,
        oldKnown: old.known,
        undoOf: null,
      });
    },

    /** Restores the limit a change replaced, through Cursor again; only the developer's latest change can be undone. */
    undoSpendLimitChange: async ({ params: { id }, body: { reason } }, req) => {
      await assertFeatureOn(deps);
      const change = await findChange(db, id);
      if (!change) throw new ApiHttpError(404, 'not_found', `No spend-limit change ${id}`);
      if (change.undone_by !== null)
        throw new ApiHttpError(409, 'conflict', `Change ${id} was already undone by change ${change.undone_by}`);
      const [latest] = await latestChanges(db, change.email, 1);
      if (latest.id !== id)
        throw new ApiHttpError(
          409,
          'conflict',
          `Change ${id} is not the latest for ${change.email}: change ${latest.id} came after it; undo that one first`,
        );
      if (!change.old_known)
        throw new ApiHttpError(
          409,
          'conflict',
          `The limit of ${change.email} before change ${id} was not known, so it cannot be restored; set the limit you want instead`,
        );
      return applySpendLimit(deps, req, {
        email: change.email,
        dollars: change.old_dollars,
        reason: `Undo of change ${id}: ${reason}`,
        incidentId: change.incident_id,
        oldDollars: change.new_dollars,
        oldKnown: true,
        undoOf: id,
      });
    },
  };
}
