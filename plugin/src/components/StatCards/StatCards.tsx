import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { IncidentMetrics } from '@cursor-cost-watch/contract';
import { dollars, duration } from '../../utils/format';

/** Open incidents and the response times managers are judged on (medians over the range). */
export function StatCards({ metrics }: { metrics: IncidentMetrics }) {
  const s = useStyles2(getStyles);
  const n = metrics.nudge;
  const cards = [
    { label: 'Open incidents', value: String(metrics.open), hint: `${metrics.total} in the last 30 days` },
    { label: 'MTTD', value: duration(metrics.mttd.median), hint: 'onset → detected (median)' },
    {
      label: 'Time to alert',
      value: duration(metrics.timeToAlert.median),
      hint: metrics.timeToAlert.median === null ? 'no channel sends messages' : 'detected → message sent (median)',
    },
    { label: 'MTTI', value: duration(metrics.mtti.median), hint: 'alert (or detection) → acknowledged (median)' },
    { label: 'MTTR', value: duration(metrics.mttr.median), hint: 'onset → resolved (median)' },
    { label: 'Excess spend', value: dollars(metrics.impactCents), hint: 'above expected, onset to resolution' },
    // Nudge the developer first: do incidents end sooner and cheaper when the developer hears first?
    {
      label: 'MTTR nudged',
      value: duration(n.nudged.mttr.median),
      hint: `${n.nudged.total} nudged · ${dollars(n.nudged.impactCents)} excess · ${n.nudged.fixedAfterNudge} fixed after nudge, ${n.nudged.escalated} escalated`,
    },
    {
      label: 'MTTR not nudged',
      value: duration(n.notNudged.mttr.median),
      hint: `${n.notNudged.total} not nudged · ${dollars(n.notNudged.impactCents)} excess`,
    },
  ];
  return (
    <div className={s.row}>
      {cards.map((c) => (
        <div key={c.label} className={s.card} data-testid={`stat-${c.label}`}>
          <div className={s.label}>{c.label}</div>
          <div className={s.value}>{c.value}</div>
          <div className={s.hint}>{c.hint}</div>
        </div>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(160px, 1fr))',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  card: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h2.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  hint: css({ color: theme.colors.text.disabled, fontSize: theme.typography.bodySmall.fontSize }),
});
