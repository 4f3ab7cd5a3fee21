import React, { useState } from 'react';
import { Button, Field, Input, Modal, RadioButtonGroup, Stack, TextArea } from '@grafana/ui';
import { RESOLUTION_REASONS, type Incident, DAY_MS } from '@cursor-cost-watch/contract';
import { useIncidentActions } from '../../api/useIncidents';
import { useSnoozeActions } from '../../api/useSnoozes';
import { asWorkerError, type WorkerApiError } from '../../api/errors';
import { currentPermissions } from '../../utils/roles';
import { WorkerError } from '../WorkerError/WorkerError';

const REASON_LABELS: Record<string, string> = {
  fixed: 'Fixed',
  expected: 'Expected (planned)',
  false_positive: 'False positive',
};

interface Props {
  incident: Incident;
  onChanged: (i?: Incident) => void;
  compact?: boolean;
}

/** Acknowledge / resolve / reopen / snooze, shown only to roles allowed to use them (Editors and Admins). */
export function IncidentActions({ incident, onChanged, compact }: Props) {
  const { canEdit } = currentPermissions();
  const incidents = useIncidentActions();
  const snoozes = useSnoozeActions();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WorkerApiError>();
  const [modal, setModal] = useState<'resolve' | 'snooze' | null>(null);
  if (!canEdit) {
    return null;
  }

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await fn();
      setModal(null);
      onChanged(result && typeof result === 'object' && 'status' in result ? (result as Incident) : undefined);
    } catch (e) {
      setError(asWorkerError(e));
    } finally {
      setBusy(false);
    }
  };
  const size = compact ? 'sm' : 'md';
  const open = incident.status !== 'resolved';
  return (
    <>
      <Stack gap={1} wrap="wrap">
        {(incident.status === 'open' || incident.status === 'alerted') && (
          <Button
            size={size}
            variant="secondary"
            icon="eye"
            disabled={busy}
            onClick={() => run(() => incidents.acknowledge(incident.id))}
          >
            Acknowledge
          </Button>
        )}
        {open && (
          <Button size={size} variant="primary" icon="check" disabled={busy} onClick={() => setModal('resolve')}>
            Resolve
          </Button>
        )}
        {!open && (
          <Button
            size={size}
            variant="secondary"
            icon="history"
            disabled={busy}
            onClick={() => run(() => incidents.reopen(incident.id))}
          >
            Reopen
          </Button>
        )}
        {!compact && (
          <Button size={size} variant="secondary" icon="bell-slash" disabled={busy} onClick={() => setModal('snooze')}>
            Snooze {incident.scope === 'user' ? 'user' : 'team'}
          </Button>
        )}
      </Stack>
      {error && !modal && <WorkerError error={error} />}
      {modal === 'resolve' && (
        <ResolveModal
          busy={busy}
          error={error}
          onDismiss={() => setModal(null)}
          onSubmit={(reason, note) => run(() => incidents.resolve(incident.id, { reason, note: note || undefined }))}
        />
      )}
      {modal === 'snooze' && (
        <SnoozeModal
          subject={incident.subject}
          busy={busy}
          error={error}
          onDismiss={() => setModal(null)}
          onSubmit={(days, reason) =>
            run(() =>
              snoozes.create({
                scope: incident.scope,
                subject: incident.subject,
                until: new Date(Date.now() + days * DAY_MS).toISOString(),
                reason,
              }),
            )
          }
        />
      )}
    </>
  );
}

type Reason = (typeof RESOLUTION_REASONS)[number];

function ResolveModal(props: {
  busy: boolean;
  error?: WorkerApiError;
  onDismiss: () => void;
  onSubmit: (r: Reason, note: string) => void;
}) {
  const [reason, setReason] = useState<Reason>('fixed');
  const [note, setNote] = useState('');
  return (
    <Modal title="Resolve incident" isOpen onDismiss={props.onDismiss}>
      <Field
        label="Reason"
        description="Expected and fixed count as real cost changes; false positives lower the detector's precision"
      >
        <RadioButtonGroup
          options={RESOLUTION_REASONS.map((r) => ({ label: REASON_LABELS[r], value: r }))}
          value={reason}
          onChange={setReason}
        />
      </Field>
      <Field label="Note" description="Optional: what happened">
        <TextArea value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={2000} />
      </Field>
      {props.error && <WorkerError error={props.error} />}
      <Modal.ButtonRow>
        <Button variant="secondary" onClick={props.onDismiss}>
          Cancel
        </Button>
        <Button disabled={props.busy} onClick={() => props.onSubmit(reason, note)}>
          Resolve as {REASON_LABELS[reason].toLowerCase()}
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}

function SnoozeModal(props: {
  subject: string;
  busy: boolean;
  error?: WorkerApiError;
  onDismiss: () => void;
  onSubmit: (days: number, reason: string) => void;
}) {
  const [days, setDays] = useState('7');
  const [reason, setReason] = useState('');
  const n = Number(days);
  const daysError = !Number.isInteger(n) || n < 1 || n > 90 ? 'Between 1 and 90 days' : undefined;
  const reasonError = reason.trim() === '' ? 'Say why, so others know' : undefined;
  return (
    <Modal title={`Snooze ${props.subject}`} isOpen onDismiss={props.onDismiss}>
      <Field
        label="Days"
        invalid={Boolean(daysError)}
        error={daysError}
        description="Anomalies are still recorded, but no incident opens until then"
      >
        <Input type="number" value={days} onChange={(e) => setDays(e.currentTarget.value)} width={12} />
      </Field>
      <Field label="Reason" invalid={Boolean(reasonError)} error={reasonError}>
        <Input value={reason} onChange={(e) => setReason(e.currentTarget.value)} placeholder="e.g. migration week" />
      </Field>
      {props.error && <WorkerError error={props.error} />}
      <Modal.ButtonRow>
        <Button variant="secondary" onClick={props.onDismiss}>
          Cancel
        </Button>
        <Button
          disabled={props.busy || Boolean(daysError || reasonError)}
          onClick={() => props.onSubmit(n, reason.trim())}
        >
          Snooze
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
