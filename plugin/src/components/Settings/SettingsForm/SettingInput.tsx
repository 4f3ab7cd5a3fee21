import React from 'react';
import { Checkbox, Input, RadioButtonGroup, Stack, Switch } from '@grafana/ui';
import type { SettingField, SettingUnit } from '@cursor-cost-watch/contract';
import { detectorLabel } from '../../../utils/format';
import { shareAsPercent } from './checkValue';

const SUFFIX: Partial<Record<SettingUnit, string>> = { share: '%', 'hour (UTC)': ':00 UTC' };

/** The editor for one setting, by the kind of value it takes; numbers carry their unit ($ before, the rest after). */
export function SettingInput({
  field,
  label,
  unit,
  value,
  invalid,
  onChange,
}: {
  field: SettingField;
  label: string;
  invalid?: boolean;
  unit?: SettingUnit;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const id = `setting-${field.key}`;
  if (field.type === 'boolean') {
    return (
      <Switch id={id} aria-label={label} value={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />
    );
  }
  if (field.type === 'enum') {
    return (
      <RadioButtonGroup
        options={(field.options ?? []).map((o) => ({ label: o, value: o }))}
        value={String(value)}
        onChange={onChange}
      />
    );
  }
  if (field.type === 'list') {
    const selected = Array.isArray(value) ? (value as string[]) : [];
    return (
      <Stack gap={2} wrap="wrap">
        {(field.options ?? []).map((o) => (
          <Checkbox
            key={o}
            label={detectorLabel(o)}
            value={selected.includes(o)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...selected, o] : selected.filter((x) => x !== o))}
          />
        ))}
      </Stack>
    );
  }
  return (
    <Input
      id={id}
      aria-label={label}
      invalid={invalid}
      width={24}
      prefix={unit === '$' ? '$' : undefined}
      suffix={unit && unit !== '$' ? (SUFFIX[unit] ?? unit) : undefined}
      // A share is typed as a percentage; what was typed stays as typed (checkValue reads it back).
      value={unit === 'share' && typeof value === 'number' ? shareAsPercent(value) : String(value ?? '')}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
