import type { SettingsResponse } from '@cursor-cost-watch/contract';
import type { Db } from '../../db/database';
import { applySettingsPatch, getSettings, updateSettings, type Settings } from '../../settings';
import { identityOf } from '../actor';
import { auditedChange } from '../audit';
import type { ApiDeps } from '../deps';
import { settingFields } from '../queries/settings-fields';
import { diffBacktests } from '../queries/settings-preview';
import type { RouteHandlers } from '../route';

const AUDIT_ROWS = 50;
const PREVIEW_DAYS = 30;

async function settingsResponse(db: Db, values: Settings): Promise<SettingsResponse> {
  const audit = await db.selectFrom('settings_audit').selectAll().orderBy('id', 'desc').limit(AUDIT_ROWS).execute();
  return {
    values,
    fields: settingFields(),
    audit: audit.map((a) => ({
      id: a.id,
      key: a.key,
      oldValue: a.old_value,
      newValue: a.new_value,
      changedBy: a.changed_by,
      changedByVerified: a.identity_verified,
      changedAt: a.changed_at.toISOString(),
    })),
  };
}

export function settingsHandlers({
  db,
  services,
}: ApiDeps): Pick<RouteHandlers, 'getSettings' | 'updateSettings' | 'previewSettings'> {
  return {
    getSettings: async () => settingsResponse(db, await getSettings(db)),

    updateSettings: async ({ body: patch }, req) => {
      const next = await auditedChange(db, req, 200, (tx) => updateSettings(tx, patch, identityOf(req)));
      return settingsResponse(db, next);
    },

    /** How many incidents the last 30 days would have opened with the current and the proposed values, and which differ. */
    previewSettings: async ({ body: patch }) => {
      const current = await getSettings(db);
      const proposed = applySettingsPatch(current, patch);
      const [before, after] = await Promise.all([
        services.backtest(db, { days: PREVIEW_DAYS, settings: current }),
        services.backtest(db, { days: PREVIEW_DAYS, settings: proposed }),
      ]);
      return {
        days: PREVIEW_DAYS,
        current: { days: before.days, perDetector: before.perDetector, total: before.total },
        proposed: { days: after.days, perDetector: after.perDetector, total: after.total },
        ...diffBacktests(before.incidents ?? [], after.incidents ?? []),
      };
    },
  };
}
