import { applySettingsPatch, DEFAULT_SETTINGS, SettingsValidationError } from '../../src/settings';

// The one validator a save (updateSettings) and the API's preview share: what one accepts, the other does.
describe('applySettingsPatch', () => {
  const refusal = (patch: unknown) => {
    try {
      applySettingsPatch(DEFAULT_SETTINGS, patch);
    } catch (e) {
      if (e instanceof SettingsValidationError) return e.issues;
      throw e;
    }
    throw new Error('accepted');
  };

  it('lays the patch over the current values without touching them', () => {
    const next = applySettingsPatch(DEFAULT_SETTINGS, { minImpactDollars: 12, notifyEmail: 'digest' });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, minImpactDollars: 12, notifyEmail: 'digest' });
    expect(DEFAULT_SETTINGS.minImpactDollars).not.toBe(12);
  });

  it('names an unknown key, a bad value, a broken cross-field rule and a patch that is not an object', () => {
    expect(refusal({ bogus: 1, minImpactDollars: 3 })).toEqual([{ path: 'bogus', message: 'is not a setting' }]);
    expect(refusal({ minImpactDollars: -5 })).toEqual([{ path: 'minImpactDollars', message: 'must be at least 0' }]);
    expect(refusal({ driftDaysAbove: 9, driftWindowDays: 5 })).toEqual([
      { path: 'driftDaysAbove', message: 'must not exceed driftWindowDays (5)' },
    ]);
    for (const patch of ['nope', null, [1]])
      expect(refusal(patch)).toEqual([{ path: '', message: 'must be an object of setting names to values' }]);
  });
});
