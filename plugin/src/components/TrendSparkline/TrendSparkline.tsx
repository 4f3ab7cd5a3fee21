import React, { useMemo } from 'react';
import { Sparkline, useTheme2 } from '@grafana/ui';
import { GraphDrawStyle, LineInterpolation, VisibilityMode } from '@grafana/schema';
import { trendFrame } from '../../utils/frames';
import { useWidth } from '../../utils/useWidth';

/** A user's daily spend as Grafana's own Sparkline (the one table cells and stat panels draw), themed. */
export function TrendSparkline({
  points,
  width = 160,
  height = 32,
}: {
  points: Array<{ day: string; chargedCents: number }>;
  width?: number;
  height?: number;
}) {
  const theme = useTheme2();
  const frame = useMemo(() => trendFrame(points, theme), [points, theme]);
  const [ref, laidOut] = useWidth();
  if (points.length < 2) {
    return null;
  }
  const [x, y] = frame.fields;
  const total = points.reduce((s, p) => s + p.chargedCents, 0);
  return (
    <div
      ref={ref}
      style={{ width, height }}
      data-testid="sparkline"
      title={`${points.length} days, ${y.display!(total / 100).text} in all`}
    >
      {/* uPlot draws on a canvas, which only a laid-out page has (not a test DOM). */}
      {laidOut > 0 && (
        <Sparkline
          width={width}
          height={height}
          theme={theme}
          sparkline={{ x, y }}
          config={{
            custom: {
              drawStyle: GraphDrawStyle.Line,
              lineInterpolation: LineInterpolation.Smooth,
              lineWidth: 1,
              fillOpacity: 15,
              showPoints: VisibilityMode.Never,
            },
            color: y.config.color,
          }}
        />
      )}
    </div>
  );
}
