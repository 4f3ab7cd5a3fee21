import React from 'react';
import { formatSettingValue, settingPresentation } from '@cursor-cost-watch/contract';
import { SimpleTable } from '../../SimpleTable/SimpleTable';

/** The values about to change, old beside new, so a save is never a surprise. */
export function SettingsChanges({
  patch,
  current,
}: {
  patch: Record<string, unknown>;
  current: Record<string, unknown>;
}) {
  return (
    <SimpleTable head={['Setting', 'Now', 'After saving']} testId="settings-diff">
      {Object.entries(patch).map(([key, value]) => {
        const { label, unit } = settingPresentation(key);
        return (
          <tr key={key}>
            <td>{label}</td>
            <td>{formatSettingValue(current[key], unit)}</td>
            <td>
              <strong>{formatSettingValue(value, unit)}</strong>
            </td>
          </tr>
        );
      })}
    </SimpleTable>
  );
}
