import React from 'react';
import { Alert, Stack, Text } from '@grafana/ui';
import type { PreviewIncident, SettingsPreview } from '@cursor-cost-watch/contract';
import { detectorLabel } from '../../../utils/format';
import { SimpleTable } from '../../SimpleTable/SimpleTable';

const span = (i: PreviewIncident) => (i.firstDay === i.lastDay ? i.firstDay : `${i.firstDay} – ${i.lastDay}`);

function IncidentList({ title, items, testId }: { title: string; items: PreviewIncident[]; testId: string }) {
  return (
    <div data-testid={testId}>
      <Text element="h5">
        {title} ({items.length})
      </Text>
      {items.length === 0 ? (
        <Text color="secondary">none</Text>
      ) : (
        <ul>
          {items.map((i) => (
            <li key={`${i.subject}|${i.detector}|${i.firstDay}`}>
              {i.scope === 'team' ? 'Team' : i.subject} — {detectorLabel(i.detector)}, {span(i)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The backtest of the proposed values: counts per detector and which incidents would open or no longer open. */
export function PreviewResult({ preview }: { preview: SettingsPreview }) {
  const detectors = [
    ...new Set([...Object.keys(preview.current.perDetector), ...Object.keys(preview.proposed.perDetector)]),
  ].sort();
  const delta = preview.proposed.total - preview.current.total;
  return (
    <Alert
      severity="info"
      title={`Over the last ${preview.days} days: ${preview.proposed.total} incidents with these values, ${preview.current.total} with the current ones (${delta >= 0 ? '+' : ''}${delta})`}
    >
      <Stack direction="column" gap={1}>
        <Stack gap={4} wrap="wrap">
          <IncidentList title="Would open" items={preview.opened} testId="preview-opened" />
          <IncidentList title="Would no longer open" items={preview.closed} testId="preview-closed" />
        </Stack>
        <SimpleTable head={['Detector', 'Current', 'Proposed']} testId="preview-table">
          {detectors.map((d) => (
            <tr key={d}>
              <td>{detectorLabel(d)}</td>
              <td>{preview.current.perDetector[d] ?? 0}</td>
              <td>{preview.proposed.perDetector[d] ?? 0}</td>
            </tr>
          ))}
        </SimpleTable>
      </Stack>
    </Alert>
  );
}
