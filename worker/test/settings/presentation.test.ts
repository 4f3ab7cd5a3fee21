import { formatSettingValue, SETTING_PRESENTATION, SETTING_SECTIONS } from '@cursor-cost-watch/contract';
import { SETTING_KEYS } from '../../src/settings';

/** The Settings page's labels and sections (contract/src/settings-layout.ts) must follow the worker's settings. */
describe('settings presentation', () => {
  it('gives every setting a label and a known section, and names no setting that does not exist', () => {
    const sections = new Set(SETTING_SECTIONS.map((s) => s.id));
    expect(Object.keys(SETTING_PRESENTATION).sort()).toEqual([...SETTING_KEYS].sort());
    for (const key of SETTING_KEYS) {
      const p = SETTING_PRESENTATION[key];
      expect(sections.has(p.section)).toBe(true);
      expect(p.label).not.toBe(key);
    }
    // The statistical knobs are out of the way.
    for (const key of ['cusumThreshold', 'onsetZ', 'shrinkageDays', 'newUserPriorDays', 'baselineDays'])
      expect(SETTING_PRESENTATION[key].section).toBe('advanced');
  });

  it('shows values with their units', () => {
    expect(formatSettingValue(50, '$')).toBe('$50.00');
    expect(formatSettingValue(25_000, '$')).toBe('$25,000');
    expect(formatSettingValue(3, 'days')).toBe('3 days');
    expect(formatSettingValue(2.5, '×')).toBe('2.5×');
    expect(formatSettingValue(0.45, 'share')).toBe('45%');
    expect(formatSettingValue(9, 'hour (UTC)')).toBe('09:00 UTC');
    expect(formatSettingValue(true)).toBe('on');
    expect(formatSettingValue([])).toBe('none');
  });
});
