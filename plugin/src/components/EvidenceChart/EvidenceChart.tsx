import React, { useLayoutEffect, useMemo } from 'react';
import type uPlot from 'uplot';
import { formattedValueToString, type DataFrame } from '@grafana/data';
import { LegendDisplayMode, TooltipDisplayMode } from '@grafana/schema';
import { TimeSeries, TooltipPlugin2, useTheme2, type UPlotConfigBuilder } from '@grafana/ui';
import type { SeriesPoint } from '@cursor-cost-watch/contract';
import { dayMs, evidenceFrame, rangeOf } from '../../utils/frames';
import { useWidth } from '../../utils/useWidth';

const HEIGHT = 280;
/** TooltipPlugin2's TooltipHoverMode.xAll (a const enum that isolated modules cannot import). */
const HOVER_ALL_SERIES = 1;

/** Draws the onset as a vertical dashed line on the plot (a uPlot draw hook, as Grafana's annotation markers are). */
function OnsetMarker({ config, at, color }: { config: UPlotConfigBuilder; at: number; color: string }) {
  useLayoutEffect(() => {
    config.addHook('draw', (u: uPlot) => {
      const x = u.valToPos(at, 'x', true);
      if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
        return;
      }
      const ctx = u.ctx;
      const px = window.devicePixelRatio || 1; // uPlot draws in device pixels
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * px;
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    });
  }, [config, at, color]);
  return null;
}

function Tooltip({ frame, index }: { frame: DataFrame; index: number | null }) {
  if (index === null) {
    return null;
  }
  const [time, ...values] = frame.fields;
  return (
    <div data-testid="evidence-tooltip" style={{ padding: 8 }}>
      <strong>{new Date(time.values[index] as number).toISOString().slice(0, 10)}</strong>
      {values.map((f) => (
        <div key={f.name}>
          {f.name}: {f.values[index] === null ? '—' : formattedValueToString(f.display!(f.values[index]))}
        </div>
      ))}
    </div>
  );
}

/**
 * Observed per day against the expected value and the normal band, with the onset marked, drawn by Grafana's own
 * time-series component (@grafana/ui TimeSeries on uPlot: theme, legend, hover tooltips, drag to zoom).
 */
export function EvidenceChart({ series, unit, onsetDay }: { series: SeriesPoint[]; unit: string; onsetDay: string }) {
  const theme = useTheme2();
  const [ref, width] = useWidth();
  const frame = useMemo(() => evidenceFrame(series, unit, theme), [series, unit, theme]);
  if (series.length === 0) {
    return <div>No daily data for this incident yet.</div>;
  }
  const onset = series.find((p) => p.day >= onsetDay)?.day;
  const drawn = new Set(frame.fields.map((f) => f.name));
  const key = [drawn.has('Normal range') && 'shaded: the normal range', drawn.has('Expected') && 'dashed: expected']
    .filter(Boolean)
    .join('; ');
  return (
    <div data-testid="evidence-chart" role="img" aria-label="Observed against expected, with the onset marked">
      <div style={{ display: 'flex', gap: 16, color: theme.colors.text.secondary, fontSize: 12 }}>
        {key && <span data-testid="expected-band">{key[0].toUpperCase() + key.slice(1)}</span>}
        {onset && (
          <span data-testid="onset-marker" style={{ color: theme.colors.error.text }}>
            onset {onset}
          </span>
        )}
      </div>
      <div ref={ref} style={{ width: '100%', height: HEIGHT }}>
        {/* Measured first: uPlot needs a pixel width (none in a test DOM, where only the labels above render). */}
        {width > 0 && (
          <TimeSeries
            frames={[frame]}
            width={width}
            height={HEIGHT}
            timeRange={rangeOf(frame)}
            timeZone="utc"
            legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
            options={{ tooltip: { mode: TooltipDisplayMode.Multi } }}
          >
            {(config, aligned) => (
              <>
                {onset && <OnsetMarker config={config} at={dayMs(onset)} color={theme.colors.error.main} />}
                <TooltipPlugin2
                  config={config}
                  hoverMode={HOVER_ALL_SERIES}
                  clientZoom
                  render={(_u, dataIdxs) => <Tooltip frame={aligned} index={dataIdxs[0] ?? null} />}
                />
              </>
            )}
          </TimeSeries>
        )}
      </div>
    </div>
  );
}
