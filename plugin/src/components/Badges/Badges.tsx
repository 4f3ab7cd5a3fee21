import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';

export const SEVERITY_COLOR: Record<string, BadgeColor> = { critical: 'red', warning: 'orange', info: 'blue' };
const STATUS_COLOR: Record<string, BadgeColor> = {
  open: 'red',
  alerted: 'orange',
  acknowledged: 'purple',
  resolved: 'green',
};

export const SeverityBadge = ({ severity }: { severity: string }) => (
  <Badge text={severity} color={SEVERITY_COLOR[severity] ?? 'blue'} />
);
export const StatusBadge = ({ status }: { status: string }) => (
  <Badge text={status} color={STATUS_COLOR[status] ?? 'blue'} />
);
