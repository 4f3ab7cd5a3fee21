import React, { useState } from 'react';
import { Button, Text } from '@grafana/ui';
import { asWorkerError, type WorkerApiError } from '../../../api/errors';
import { useSnoozeActions, useSnoozes } from '../../../api/useSnoozes';
import { currentPermissions } from '../../../utils/roles';
import { SimpleTable } from '../../SimpleTable/SimpleTable';
import { WorkerError } from '../../WorkerError/WorkerError';

/** Who is snoozed until when; Editors can end a snooze. */
export function Snoozes() {
  const { canEdit } = currentPermissions();
  const snoozes = useSnoozes();
  const { remove: endSnooze } = useSnoozeActions();
  const [error, setError] = useState<WorkerApiError>();
  const remove = async (id: number) => {
    try {
      await endSnooze(id);
      snoozes.reload();
    } catch (e) {
      setError(asWorkerError(e));
    }
  };
  return (
    <section>
      <Text element="h3">Snoozes</Text>
      {(snoozes.error || error) && <WorkerError error={(snoozes.error || error)!} onRetry={snoozes.reload} />}
      {snoozes.value && snoozes.value.items.length === 0 && (
        <p>Nothing is snoozed. Snooze a user or the team from an incident.</p>
      )}
      {snoozes.value && snoozes.value.items.length > 0 && (
        <SimpleTable head={['Who', 'Until', 'Reason', 'By', '']} testId="snooze-table">
          {snoozes.value.items.map((s) => (
            <tr key={s.id}>
              <td>{s.scope === 'team' ? 'Team' : s.subject}</td>
              <td>{s.until.slice(0, 16).replace('T', ' ')} UTC</td>
              <td>{s.reason}</td>
              <td>{s.createdBy}</td>
              <td>
                {canEdit && (
                  <Button size="sm" variant="destructive" fill="text" icon="trash-alt" onClick={() => remove(s.id)}>
                    End snooze
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </section>
  );
}
