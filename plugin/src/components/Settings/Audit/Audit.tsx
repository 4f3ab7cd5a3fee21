import React from 'react';
import { Text } from '@grafana/ui';
import { formatSettingValue, settingPresentation, type SettingsResponse } from '@cursor-cost-watch/contract';
import { SimpleTable } from '../../SimpleTable/SimpleTable';

/** The latest settings changes: who changed what from which value to which. */
export function Audit({ data }: { data: SettingsResponse }) {
  if (data.audit.length === 0) {
    return null;
  }
  return (
    <section>
      <Text element="h3">Recent changes</Text>
      <SimpleTable head={['When', 'Who', 'Setting', 'From', 'To']} testId="audit-table">
        {data.audit.slice(0, 20).map((a) => (
          <tr key={a.id}>
            <td>{a.changedAt.slice(0, 16).replace('T', ' ')} UTC</td>
            <td>
              {a.changedBy}
              {a.changedByVerified === false && (
                <span title="Not verified: taken from the request as sent, not from Grafana's signed ID token">
                  {' '}
                  (unverified)
                </span>
              )}
            </td>
            <td>{settingPresentation(a.key).label}</td>
            <td>{formatSettingValue(a.oldValue, settingPresentation(a.key).unit)}</td>
            <td>{formatSettingValue(a.newValue, settingPresentation(a.key).unit)}</td>
          </tr>
        ))}
      </SimpleTable>
    </section>
  );
}
