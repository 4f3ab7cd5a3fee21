import {
  createDataFrame,
  dateTime,
  FieldColorModeId,
  FieldType,
  getDisplayProcessor,
  type DataFrame,
  type FieldDTO,
  type GrafanaTheme2,
  type TimeRange,
} from '@grafana/data';
import { GraphDrawStyle, LineInterpolation, VisibilityMode, type GraphFieldConfig } from '@grafana/schema';
import type { SeriesPoint } from '@cursor-cost-watch/contract';

export const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts) for the worker's series units. */
export function grafanaUnit(unit: string): { unit: string; scale: number } {
  switch (unit) {
    case 'cents':
      return { unit: 'currencyUSD', scale: 1 / 100 };
    case 'share':
      return { unit: 'percentunit', scale: 1 };
    default:
      return { unit: 'short', scale: 1 };
  }
}

const line = (over: Partial<GraphFieldConfig>): GraphFieldConfig => ({
  drawStyle: GraphDrawStyle.Line,
  lineInterpolation: LineInterpolation.Linear,
  lineWidth: 2,
  fillOpacity: 0,
  showPoints: VisibilityMode.Auto,
  spanNulls: true,
  ...over,
});
const fixed = (color: string) => ({ mode: FieldColorModeId.Fixed, fixedColor: color });

/** Whether a series has any value to draw (a field of nulls would still get a legend entry, issue #14). */
export const hasValues = (values: Array<number | null>) => values.some((x) => x !== null);

/**
 * The incident's evidence as one data frame the way a time-series panel gets it: observed, expected (dashed) and
 * the normal band: its upper edge filled down to the lower with `fillBelowTo`, which @grafana/ui's TimeSeries turns
 * into a uPlot band (graveyard/TimeSeries/utils.ts, `preparePlotConfigBuilder`: `builder.addBand({series: [t, b]})`
 * when both fields are found by name). Expected and the band are left out when the worker sends none for this
 * incident, so the legend never names a line that is not drawn.
 */
export function evidenceFrame(series: SeriesPoint[], unit: string, theme: GrafanaTheme2): DataFrame {
  const g = grafanaUnit(unit);
  const v = (x: number | null) => (x === null ? null : x * g.scale);
  const band = theme.visualization.getColorByName('green');
  const observed = series.map((p) => v(p.observed));
  const expected = series.map((p) => v(p.expected));
  const high = series.map((p) => (p.bandLow === null ? null : v(p.bandHigh)));
  const low = series.map((p) => (p.bandHigh === null ? null : v(p.bandLow)));
  const fields: FieldDTO[] = [
    { name: 'Day', type: FieldType.time, values: series.map((p) => dayMs(p.day)) },
    {
      name: 'Observed',
      type: FieldType.number,
      values: observed,
      config: { unit: g.unit, color: fixed(theme.colors.primary.main), custom: line({ lineWidth: 2 }) },
    },
  ];
  if (hasValues(expected)) {
    fields.push({
      name: 'Expected',
      type: FieldType.number,
      values: expected,
      config: {
        unit: g.unit,
        color: fixed(band),
        custom: line({ lineWidth: 2, lineStyle: { fill: 'dash', dash: [6, 4] }, showPoints: VisibilityMode.Never }),
      },
    });
  }
  if (hasValues(high)) {
    fields.push(
      {
        name: 'Normal range',
        type: FieldType.number,
        values: high,
        config: {
          unit: g.unit,
          color: fixed(band),
          custom: line({
            lineWidth: 0,
            fillOpacity: 20,
            fillBelowTo: 'Normal (low)',
            showPoints: VisibilityMode.Never,
          }),
        },
      },
      {
        name: 'Normal (low)',
        type: FieldType.number,
        values: low,
        config: {
          unit: g.unit,
          color: fixed(band),
          custom: line({
            lineWidth: 0,
            showPoints: VisibilityMode.Never,
            hideFrom: { legend: true, tooltip: false, viz: false },
          }),
        },
      },
    );
  }
  return withDisplay(createDataFrame({ name: 'evidence', fields }), theme);
}

/** A user's daily spend for the sparkline (with the value range Grafana's Sparkline scales its y axis by). */
export function trendFrame(points: Array<{ day: string; chargedCents: number }>, theme: GrafanaTheme2): DataFrame {
  const dollars = points.map((p) => p.chargedCents / 100);
  const min = Math.min(0, ...dollars);
  const max = Math.max(0, ...dollars);
  const frame = withDisplay(
    createDataFrame({
      fields: [
        { name: 'Day', type: FieldType.time, values: points.map((p) => dayMs(p.day)) },
        {
          name: 'Spend',
          type: FieldType.number,
          values: dollars,
          config: { unit: 'currencyUSD', color: fixed(theme.colors.primary.main) },
        },
      ],
    }),
    theme,
  );
  frame.fields[1].state = { ...frame.fields[1].state, range: { min, max, delta: max - min } };
  return frame;
}

/** Display processors on every field, as Grafana's field-config pipeline would give a panel. */
function withDisplay(frame: DataFrame, theme: GrafanaTheme2): DataFrame {
  frame.fields.forEach((field, i) => {
    field.display = getDisplayProcessor({ field, theme, timeZone: 'utc' });
    field.state = { ...field.state, seriesIndex: i };
  });
  return frame;
}

export function rangeOf(frame: DataFrame): TimeRange {
  const times = frame.fields[0].values as number[];
  const from = dateTime(times[0] ?? 0);
  const to = dateTime(times[times.length - 1] ?? 0);
  return { from, to, raw: { from, to } };
}
