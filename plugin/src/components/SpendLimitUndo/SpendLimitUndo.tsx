import React, { useState } from 'react';
import { Button, Field, Modal, TextArea } from '@grafana/ui';
import type { TimelineEntry } from '@cursor-cost-watch/contract';
import { useSpendLimitActions } from '../../api/useSpendLimit';
import { asWorkerError, type WorkerApiError } from '../../api/errors';
import { currentPermissions } from '../../utils/roles';
import { WorkerError } from '../WorkerError/WorkerError';

const limitText = (d: unknown) => (d === null ? 'no limit' : `$${String(d)}`);

/**
 * Whether a spend-limit timeline entry can still be undone: not undone yet, the developer's latest change on this
 * timeline, and the limit before it known. The worker checks the same (409 otherwise).
 */
export function undoable(entry: TimelineEntry, timeline: TimelineEntry[]): boolean {
  const id = entry.details.changeId;
  if (entry.action !== 'spend_limit_changed' || typeof id !== 'number' || entry.details.oldKnown !== true) {
    return false;
  }
  const limitChanges = timeline.filter(
    (e) => e.action === 'spend_limit_changed' && e.details.email === entry.details.email,
  );
  const undone = limitChanges.some((e) => e.details.undoOf === id);
  const later = limitChanges.some((e) => typeof e.details.changeId === 'number' && e.details.changeId > id);
  return !undone && !later;
}

/** The Undo button of a spend-limit change on the incident timeline (Admins), asking why before restoring. */
export function SpendLimitUndo({
  entry,
  timeline,
  onUndone,
}: {
  entry: TimelineEntry;
  timeline: TimelineEntry[];
  onUndone: () => void;
}) {
  const { canAdmin } = currentPermissions();
  const spendLimits = useSpendLimitActions();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WorkerApiError>();
  if (!canAdmin || !undoable(entry, timeline)) {
    return null;
  }
  const id = entry.details.changeId as number;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await spendLimits.undo(id, reason.trim());
      setOpen(false);
      onUndone();
    } catch (e) {
      setError(asWorkerError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {' '}
      <Button size="sm" variant="secondary" icon="history" onClick={() => setOpen(true)}>
        Undo
      </Button>
      {open && (
        <Modal
          title={`Undo: restore ${limitText(entry.details.oldDollars)} for ${String(entry.details.email)}`}
          isOpen
          onDismiss={() => setOpen(false)}
        >
          <p>
            Cursor will be asked to set the limit back from {limitText(entry.details.newDollars)} to{' '}
            {limitText(entry.details.oldDollars)}. The undo is recorded like any change.
          </p>
          <Field label="Reason" required>
            <TextArea
              aria-label="Reason for the undo"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
          {error && <WorkerError error={error} />}
          <Modal.ButtonRow>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button disabled={busy || reason.trim() === ''} onClick={submit}>
              Undo the change
            </Button>
          </Modal.ButtonRow>
        </Modal>
      )}
    </>
  );
}
