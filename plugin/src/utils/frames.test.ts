import { createTheme } from '@grafana/data';
import type { SeriesPoint } from '@cursor-cost-watch/contract';
import { evidenceFrame } from './frames';

const theme = createTheme();
const point = (day: string, over: Partial<SeriesPoint> = {}): SeriesPoint => ({
  day,
  observed: 1200,
  expected: 1000,
  bandLow: 500,
  bandHigh: 2000,
  ...over,
});

describe('evidenceFrame', () => {
  it('gives the band as an upper edge filled down to the lower one by name, in dollars', () => {
    const f = evidenceFrame([point('2026-11-01'), point('2026-11-02')], 'cents', theme);
    expect(f.fields.map((x) => x.name)).toEqual(['Day', 'Observed', 'Expected', 'Normal range', 'Normal (low)']);
    const high = f.fields[3];
    expect(high.config.custom.fillBelowTo).toBe('Normal (low)');
    expect(high.values).toEqual([20, 20]);
    expect(f.fields[4].values).toEqual([5, 5]);
    expect(f.fields[4].config.custom.hideFrom.legend).toBe(true);
    expect(f.fields[2].config.custom.lineStyle.fill).toBe('dash');
  });

  it('leaves out expected and the band when the worker sends none, so the legend names only what is drawn', () => {
    const none = { expected: null, bandLow: null, bandHigh: null };
    const f = evidenceFrame([point('2026-11-01', none), point('2026-11-02', none)], 'cents', theme);
    expect(f.fields.map((x) => x.name)).toEqual(['Day', 'Observed']);
  });

  it('keeps a band only on days that have both edges', () => {
    const f = evidenceFrame([point('2026-11-01', { bandLow: null }), point('2026-11-02')], 'requests', theme);
    expect(f.fields[3].values).toEqual([null, 2000]);
    expect(f.fields[4].values).toEqual([null, 500]);
  });
});
