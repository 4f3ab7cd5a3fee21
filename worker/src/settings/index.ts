export { settingsSchema, settingsShape, DEFAULT_SETTINGS, SETTING_KEYS, describeSettings } from './schema';
export type { Settings, SettingKey } from './schema';
export { getSettings, updateSettings } from './store';
export { applySettingsPatch } from './patch';
export { SettingsValidationError, type SettingsIssue } from './errors';
