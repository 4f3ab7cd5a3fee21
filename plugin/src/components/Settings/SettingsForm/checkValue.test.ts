import { checkValue, plainDescription } from './checkValue';

const field = { key: 'baselineDays', description: '', default: 28, type: 'integer' as const, min: 7, max: 120 };

describe('checkValue', () => {
  it('accepts a number in range and explains every way one can be wrong', () => {
    expect(checkValue(field, ' 14 ')).toEqual({ value: 14 });
    expect(checkValue(field, '')).toEqual({ error: 'Enter a number' });
    expect(checkValue(field, 'ten')).toEqual({ error: 'Must be a number' });
    expect(checkValue(field, '7.5')).toEqual({ error: 'Must be a whole number' });
    expect(checkValue(field, '3')).toEqual({ error: 'Must be at least 7' });
    expect(checkValue(field, '121')).toEqual({ error: 'Must be at most 120' });
    expect(checkValue({ ...field, type: 'enum' }, 'digest')).toEqual({ value: 'digest' });
  });

  it('reads a share as a percentage: 35 (or "35%") is 0.35, its limits said in percent', () => {
    const share = {
      key: 'runawayMinHeadlessShare',
      description: '',
      default: 0.5,
      type: 'number' as const,
      min: 0,
      max: 1,
    };
    expect(checkValue(share, '35')).toEqual({ value: 0.35 });
    expect(checkValue(share, ' 12.5% ')).toEqual({ value: 0.125 });
    expect(checkValue(share, '150')).toEqual({ error: 'Must be at most 100%' });
    expect(checkValue(share, '-1')).toEqual({ error: 'Must be at least 0%' });
    expect(checkValue(field, '14%')).toEqual({ error: 'Must be a number' }); // only shares take a percent sign
  });

  it("drops the worker description's section prefix", () => {
    expect(plainDescription('Thresholds: alert when a user spends more')).toBe('Alert when a user spends more');
    expect(plainDescription('Compare workdays with workdays')).toBe('Compare workdays with workdays');
  });
});
