import { settingsSchema, type Settings } from '../../src/settings';

/**
 * The detection settings a benchmark runs with, from its `--settings '<json>'` option: the defaults and what the JSON
 * changes, checked by the settings schema (a wrong key or value is an error naming it). A study without a throwaway
 * build.
 */
export function benchSettings(json: string): Settings {
  let patch: unknown;
  try {
    patch = JSON.parse(json);
  } catch (e) {
    throw new Error(`--settings is not JSON: ${(e as Error).message}`);
  }
  const parsed = settingsSchema.safeParse(patch);
  if (!parsed.success)
    throw new Error(
      `--settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
