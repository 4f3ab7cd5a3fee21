import React from 'react';
import { Field, Stack, Text } from '@grafana/ui';
import { formatSettingValue, settingPresentation, type SettingField } from '@cursor-cost-watch/contract';
import { plainDescription } from './checkValue';
import { SettingInput } from './SettingInput';

/** One setting: its human label and meaning, the value (editable or read-only) and its default beside it. */
export function SettingRow({
  field,
  value,
  error,
  readOnly,
  onChange,
}: {
  field: SettingField;
  value: unknown;
  error?: string;
  readOnly: boolean;
  onChange: (v: unknown) => void;
}) {
  const { label, unit } = settingPresentation(field.key);
  return (
    <Field
      label={label}
      description={plainDescription(field.description)}
      invalid={Boolean(error)}
      error={error}
      htmlFor={`setting-${field.key}`}
    >
      {/* A fragment: Field clones its child with input props, which a layout Stack must not get. */}
      <>
        <Stack gap={2} alignItems="center">
          {readOnly ? (
            <span id={`setting-${field.key}`} data-testid={`value-${field.key}`}>
              <Text weight="medium">{formatSettingValue(value, unit)}</Text>
            </span>
          ) : (
            <SettingInput
              field={field}
              label={label}
              unit={unit}
              value={value}
              invalid={Boolean(error)}
              onChange={onChange}
            />
          )}
          <Text color="secondary" variant="bodySmall">
            default {formatSettingValue(field.default, unit)}
          </Text>
        </Stack>
      </>
    </Field>
  );
}
