import type { DbOrTx } from '../../db/database';
import { nudgeStatus, setNudgeOptOut } from '../../nudge';
import { getSettings } from '../../settings';
import { actorOf } from '../actor';
import { auditedChange } from '../audit';
import type { ApiDeps } from '../deps';
import { ApiHttpError, ApiValidationError } from '../errors';
import type { RouteHandlers } from '../route';

/** A developer the team knows: a member, or someone with spend or an incident on record. */
async function requireKnownDeveloper(db: DbOrTx, raw: string): Promise<string> {
  const email = raw.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new ApiValidationError([{ path: 'params.email', message: `must be an email address (got "${raw}")` }]);
  const [member, incident] = await Promise.all([
    db.selectFrom('members').select('email').where('email', '=', email).executeTakeFirst(),
    db.selectFrom('incidents').select('id').where('scope', '=', 'user').where('subject', '=', email).executeTakeFirst(),
  ]);
  if (!member && !incident) throw new ApiHttpError(404, 'not_found', `No member with the email ${email}`);
  return email;
}

/** A developer's personal nudges: whether they opted out, and their latest nudges (worker/src/nudge). */
export function nudgeHandlers({ db, now }: ApiDeps): Pick<RouteHandlers, 'getNudgeStatus' | 'setNudgeOptOut'> {
  return {
    getNudgeStatus: async ({ params }) =>
      nudgeStatus(db, await requireKnownDeveloper(db, params.email), await getSettings(db)),

    /** Opt out (or back in); the change and its api_audit row are one transaction. */
    setNudgeOptOut: async ({ params, body }, req) => {
      const email = await requireKnownDeveloper(db, params.email);
      await auditedChange(db, req, 200, (tx) => setNudgeOptOut(tx, email, body, actorOf(req), now()));
      return nudgeStatus(db, email, await getSettings(db));
    },
  };
}
