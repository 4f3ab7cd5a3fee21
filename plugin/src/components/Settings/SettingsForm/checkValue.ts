import { settingPresentation, type SettingField } from '@cursor-cost-watch/contract';

/** A share (0–1) is typed and shown as a percentage: 35 means 0.35. */
export const isShare = (key: string) => settingPresentation(key).unit === 'share';
/** A stored share as the percentage typed for it (0.35 → "35", without floating-point noise). */
export const shareAsPercent = (x: number) => String(Math.round(x * 1e6) / 1e4);

/** Parses what was typed for a field; returns an error message a person can act on. */
export function checkValue(field: SettingField, raw: unknown): { value?: unknown; error?: string } {
  if (field.type !== 'number' && field.type !== 'integer') {
    return { value: raw };
  }
  const text = String(raw).trim();
  if (text === '') {
    return { error: 'Enter a number' };
  }
  const share = isShare(field.key);
  const typed = Number(share ? text.replace(/%$/, '').trim() : text);
  if (!Number.isFinite(typed)) {
    return { error: 'Must be a number' };
  }
  const n = share ? typed / 100 : typed;
  const shown = (x: number) => (share ? `${shareAsPercent(x)}%` : String(x));
  if (field.type === 'integer' && !Number.isInteger(n)) {
    return { error: 'Must be a whole number' };
  }
  if (field.min !== undefined && n < field.min) {
    return { error: `Must be at least ${shown(field.min)}` };
  }
  if (field.max !== undefined && n > field.max) {
    return { error: `Must be at most ${shown(field.max)}` };
  }
  return { value: n };
}

/** The worker's description without its "Section: " prefix (the section heading already says it). */
export function plainDescription(text: string): string {
  const rest = text.replace(/^[A-Z][\w -]{0,30}: /, '');
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}
