import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import type { IdentitySource } from '../db/schema/detection';
import { inTransaction } from '../db/transaction';
import { SettingsValidationError } from './errors';
import { applySettingsPatch } from './patch';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  settingsSchema,
  settingsShape,
  type SettingKey,
  type Settings,
} from './schema';

// Serialises concurrent updates so each audit row's old value is the value it replaced.
const SETTINGS_LOCK = 7_348_112;

async function readStored(db: DbOrTx): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

/**
 * The stored settings over the defaults. A stored value the schema no longer accepts (an older version's, or a
 * hand edit) falls back to its default rather than stopping detection; the row is left as it is.
 */
function merge(stored: Map<string, unknown>): Settings {
  const merged: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const parsed = stored.has(key) ? settingsShape[key].safeParse(stored.get(key)) : undefined;
    merged[key] = parsed?.success ? parsed.data : DEFAULT_SETTINGS[key];
  }
  const result = settingsSchema.safeParse(merged);
  return result.success ? result.data : { ...DEFAULT_SETTINGS };
}

export async function getSettings(db: DbOrTx): Promise<Settings> {
  return merge(await readStored(db));
}

/** Who changed a setting and whether that was verified (sql/012_identity.sql); a bare name is unverified. */
export interface ChangedBy {
  actor: string;
  verified: boolean;
  source: IdentitySource;
}

/**
 * Validates `patch` (a partial settings object) against the current settings (applySettingsPatch), then writes each changed key and
 * one settings_audit row per change (old and new value, who, when). Throws SettingsValidationError naming every bad
 * field; nothing is written then.
 */
export async function updateSettings(db: DbOrTx, patch: unknown, by: string | ChangedBy): Promise<Settings> {
  const who: ChangedBy = typeof by === 'string' ? { actor: by, verified: false, source: 'none' } : by;
  const actor = who.actor;
  if (!actor.trim()) throw new SettingsValidationError([{ path: 'actor', message: 'must name who made the change' }]);
  return inTransaction(db, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${SETTINGS_LOCK})`.execute(tx);
    const current = merge(await readStored(tx));
    const next = applySettingsPatch(current, patch);
    const changed = SETTING_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
    for (const key of changed) await writeKey(tx, key, current[key], next[key], who);
    return next;
  });
}

/** The audit keeps the effective old value (the default when the key had never been stored). */
async function writeKey(
  tx: DbOrTx,
  key: SettingKey,
  oldValue: unknown,
  newValue: unknown,
  { actor, verified, source }: ChangedBy,
): Promise<void> {
  const value = JSON.stringify(newValue);
  await tx
    .insertInto('settings')
    .values({ key, value, updated_by: actor, updated_at: new Date() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_by: actor, updated_at: new Date() }))
    .execute();
  await tx
    .insertInto('settings_audit')
    .values({
      key,
      old_value: JSON.stringify(oldValue),
      new_value: value,
      changed_by: actor,
      identity_verified: verified,
      identity_source: source,
    })
    .execute();
}
