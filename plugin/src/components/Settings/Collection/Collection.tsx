import React, { useState } from 'react';
import { Alert, Button, Text } from '@grafana/ui';
import { asWorkerError, failureText } from '../../../api/errors';
import { useCollectionActions, useCollectionStatus } from '../../../api/useCollection';
import { age, duration } from '../../../utils/format';
import { currentPermissions } from '../../../utils/roles';
import { SimpleTable } from '../../SimpleTable/SimpleTable';
import { WorkerError } from '../../WorkerError/WorkerError';

/** How each Cursor endpoint's collection is doing; Editors can start one now. */
export function Collection() {
  const { canEdit } = currentPermissions();
  const status = useCollectionStatus();
  const collection = useCollectionActions();
  const [note, setNote] = useState<{ ok: boolean; text: string }>();
  const run = async () => {
    try {
      await collection.run();
      setNote({ ok: true, text: 'Collection queued: data and detection refresh in a few minutes.' });
      status.reload();
    } catch (e) {
      const err = asWorkerError(e);
      setNote({
        ok: false,
        text: err.kind === 'conflict' ? 'A collection is already queued or running.' : failureText(err),
      });
    }
  };
  return (
    <section>
      <Text element="h3">Collection</Text>
      {status.error && <WorkerError error={status.error} onRetry={status.reload} />}
      {status.value && !status.value.hasData && (
        <Alert severity="info" title="No data yet">
          The worker has not collected anything from Cursor yet. The first collection fills the last 30 days; it runs
          every hour.
        </Alert>
      )}
      {status.value && status.value.endpoints.length > 0 && (
        <SimpleTable
          head={['Endpoint', 'Last run', 'Status', 'Lag', 'Failures (24h)', 'Last error']}
          testId="collection-table"
        >
          {status.value.endpoints.map((e) => (
            <tr key={e.endpoint}>
              <td>{e.endpoint}</td>
              <td>{e.lastRunAt ? `${age(e.lastRunAt, Date.parse(status.value!.now))} ago` : 'never'}</td>
              <td>{e.lastStatus ?? '—'}</td>
              <td>{duration(e.lagSeconds)}</td>
              <td>{e.failuresLast24h}</td>
              <td>{e.lastError ?? ''}</td>
            </tr>
          ))}
        </SimpleTable>
      )}
      {canEdit && (
        <Button variant="secondary" icon="sync" onClick={run}>
          Collect and detect now
        </Button>
      )}
      {note && <Alert severity={note.ok ? 'success' : 'warning'} title={note.text} />}
    </section>
  );
}
