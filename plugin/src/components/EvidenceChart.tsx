import React from 'react';
import { useTheme2 } from '@grafana/ui';
import type { SeriesPoint } from '@cursor-cost-watch/contract';
import { measure } from '../utils/format';

const W = 800;
const H = 260;
const PAD = { left: 64, right: 16, top: 16, bottom: 28 };

/** Observed per day against the expected value and band, with the onset day marked. */
export function EvidenceChart({ series, unit, onsetDay }: { series: SeriesPoint[]; unit: string; onsetDay: string }) {
  const theme = useTheme2();
  if (series.length === 0) {
    return <div>No daily data for this incident yet.</div>;
  }
  const values = series.flatMap((p) => [p.observed, p.expected ?? 0, p.bandHigh ?? 0]);
  const max = Math.max(1, ...values) * 1.1;
  const x = (i: number) =>
    PAD.left + (series.length === 1 ? 0 : (i / (series.length - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const banded = series.map((p, i) => ({ p, i })).filter(({ p }) => p.bandLow !== null && p.bandHigh !== null);
  const band =
    banded.length > 1
      ? [
          ...banded.map(({ p, i }) => `${x(i)},${y(p.bandHigh!)}`),
          ...banded.reverse().map(({ p, i }) => `${x(i)},${y(p.bandLow!)}`),
        ].join(' ')
      : null;
  const expected = series
    .map((p, i) => (p.expected === null ? null : `${x(i)},${y(p.expected)}`))
    .filter(Boolean)
    .join(' ');
  const observed = series.map((p, i) => `${x(i)},${y(p.observed)}`).join(' ');
  const onsetIndex = series.findIndex((p) => p.day >= onsetDay);
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const c = theme.colors;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-label="Observed against expected, with the onset marked"
      data-testid="evidence-chart"
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke={c.border.weak} />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill={c.text.secondary}>
            {measure(t, unit)}
          </text>
        </g>
      ))}
      {band && <polygon points={band} fill={c.success.transparent} stroke="none" data-testid="expected-band" />}
      {expected && (
        <polyline points={expected} fill="none" stroke={c.success.main} strokeDasharray="4 3" strokeWidth={1.5} />
      )}
      <polyline points={observed} fill="none" stroke={c.primary.main} strokeWidth={2} data-testid="observed-line" />
      {onsetIndex >= 0 && (
        <g data-testid="onset-marker">
          <line
            x1={x(onsetIndex)}
            x2={x(onsetIndex)}
            y1={PAD.top}
            y2={H - PAD.bottom}
            stroke={c.error.main}
            strokeDasharray="2 2"
          />
          <text x={x(onsetIndex) + 4} y={PAD.top + 10} fontSize="11" fill={c.error.text}>
            onset {series[onsetIndex].day}
          </text>
        </g>
      )}
      <text x={PAD.left} y={H - 8} fontSize="11" fill={c.text.secondary}>
        {series[0].day}
      </text>
      <text x={W - PAD.right} y={H - 8} fontSize="11" fill={c.text.secondary} textAnchor="end">
        {series[series.length - 1].day}
      </text>
    </svg>
  );
}

/** A small daily trend line. */
export function Sparkline({ values, width = 160, height = 32 }: { values: number[]; width?: number; height?: number }) {
  const theme = useTheme2();
  if (values.length < 2) {
    return null;
  }
  const max = Math.max(1, ...values);
  const pts = values
    .map((v, i) => `${(i / (values.length - 1)) * width},${height - (v / max) * (height - 2) - 1}`)
    .join(' ');
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} data-testid="sparkline">
      <polyline points={pts} fill="none" stroke={theme.colors.primary.main} strokeWidth={1.5} />
    </svg>
  );
}
