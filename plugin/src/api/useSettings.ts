import { workerApi } from './client';
import { useWorker } from './useWorker';

/** The detection settings: fields, current values and the recent changes. */
export function useSettings() {
  return useWorker(() => workerApi.getSettings(), []);
}

const SETTINGS_ACTIONS = { preview: workerApi.previewSettings, save: workerApi.updateSettings };

/** Backtest a settings patch, or save it. */
export function useSettingsActions() {
  return SETTINGS_ACTIONS;
}
