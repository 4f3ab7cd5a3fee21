import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/** A plain table in Grafana's look (InteractiveTable needs more than the pages use). */
export function SimpleTable({
  head,
  children,
  testId,
}: {
  head: React.ReactNode[];
  children: React.ReactNode;
  testId?: string;
}) {
  const s = useStyles2(getStyles);
  return (
    <table className={s.table} data-testid={testId}>
      <thead>
        <tr>
          {head.map((h, i) => (
            <th key={i}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'middle',
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      fontSize: theme.typography.bodySmall.fontSize,
    },
    'tbody tr:hover': { background: theme.colors.action.hover },
  }),
});
