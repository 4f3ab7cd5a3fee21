import type { SettingField } from '@cursor-cost-watch/contract';

/** Parses what was typed for a field; returns an error message a person can act on. */
export function checkValue(field: SettingField, raw: unknown): { value?: unknown; error?: string } {
  if (field.type !== 'number' && field.type !== 'integer') {
    return { value: raw };
  }
  const text = String(raw).trim();
  if (text === '') {
    return { error: 'Enter a number' };
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    return { error: 'Must be a number' };
  }
  if (field.type === 'integer' && !Number.isInteger(n)) {
    return { error: 'Must be a whole number' };
  }
  if (field.min !== undefined && n < field.min) {
    return { error: `Must be at least ${field.min}` };
  }
  if (field.max !== undefined && n > field.max) {
    return { error: `Must be at most ${field.max}` };
  }
  return { value: n };
}

/** The worker's description without its "Section: " prefix (the section heading already says it). */
export function plainDescription(text: string): string {
  const rest = text.replace(/^[A-Z][\w -]{0,30}: /, '');
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}
