import type { z } from 'zod';
import { SettingsValidationError, type SettingsIssue } from './errors';
import { SETTING_KEYS, settingsSchema, type Settings } from './schema';

function toIssues(error: z.ZodError): SettingsIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * The one check of a settings change: `patch` (a partial object of setting keys) over `current`, validated as a
 * whole (cross-field rules too). Both a save (store.ts) and the API's preview go through here, so a preview accepts
 * exactly what a save would. Throws SettingsValidationError naming every bad field.
 */
export function applySettingsPatch(current: Settings, patch: unknown): Settings {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new SettingsValidationError([{ path: '', message: 'must be an object of setting names to values' }]);
  }
  const unknownKeys = Object.keys(patch).filter((k) => !(SETTING_KEYS as string[]).includes(k));
  if (unknownKeys.length > 0) {
    throw new SettingsValidationError(unknownKeys.map((k) => ({ path: k, message: 'is not a setting' })));
  }
  const result = settingsSchema.safeParse({ ...current, ...patch });
  if (!result.success) throw new SettingsValidationError(toIssues(result.error));
  return result.data;
}
