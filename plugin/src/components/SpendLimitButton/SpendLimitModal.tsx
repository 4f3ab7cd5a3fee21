import React, { useState } from 'react';
import { Alert, Button, Checkbox, Field, Input, LoadingPlaceholder, Modal, Stack, TextArea } from '@grafana/ui';
import type { SpendLimitChangeResult, SpendLimitInfo } from '@cursor-cost-watch/contract';
import { asWorkerError, type WorkerApiError } from '../../api/errors';
import { useSpendLimit, useSpendLimitActions } from '../../api/useSpendLimit';
import { dollars } from '../../utils/format';
import { Fact } from '../Fact/Fact';
import { WorkerError } from '../WorkerError/WorkerError';

const limitText = (known: boolean, d: number | null) => (!known ? 'Unknown' : d === null ? 'No limit' : `$${d}`);

interface Props {
  email: string;
  incidentId?: number;
  onDismiss: () => void;
  /** Called after Cursor accepted a change. */
  onChanged: (r: SpendLimitChangeResult) => void;
}

/**
 * The confirmation dialog: the developer's figures (cycle spend, forecast, limit in force, suggestion and how it is
 * computed), a value prefilled with the suggestion, a reason, and Cursor's answer as it came.
 */
export function SpendLimitModal({ email, incidentId, onDismiss, onChanged }: Props) {
  const info = useSpendLimit(email, incidentId);
  return (
    <Modal title={`Spend limit for ${email}`} isOpen onDismiss={onDismiss}>
      {info.error && <WorkerError error={info.error} onRetry={info.reload} />}
      {info.loading && !info.value && <LoadingPlaceholder text="Loading the figures…" />}
      {info.value && (
        <SpendLimitForm info={info.value} incidentId={incidentId} onDismiss={onDismiss} onChanged={onChanged} />
      )}
    </Modal>
  );
}

function SpendLimitForm(props: {
  info: SpendLimitInfo;
  incidentId?: number;
  onDismiss: () => void;
  onChanged: (r: SpendLimitChangeResult) => void;
}) {
  const { info } = props;
  const spendLimits = useSpendLimitActions();
  const [value, setValue] = useState(String(info.suggestion.dollars));
  const [remove, setRemove] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WorkerApiError>();
  const [result, setResult] = useState<SpendLimitChangeResult>();
  const n = Number(value);
  const valueError =
    remove || (value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 1_000_000)
      ? undefined
      : 'A whole number of dollars, 0 or more (Cursor takes integer dollars)';
  const reasonError = reason.trim() === '' ? 'Say why: it is recorded on the timeline and in the audit log' : undefined;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await spendLimits.change({
        email: info.email,
        spendLimitDollars: remove ? null : n,
        reason: reason.trim(),
        ...(props.incidentId !== undefined ? { incidentId: props.incidentId } : {}),
      });
      setResult(r);
      props.onChanged(r);
    } catch (e) {
      setError(asWorkerError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <Stack gap={3} wrap="wrap">
        <Fact
          testId="sl-cycle-spend"
          label="Spend this cycle (on demand: what a limit caps)"
          value={dollars(info.cycleSpendCents)}
          how={`${dollars(info.cycleOverallSpendCents)} including included usage${info.cycleStart ? `, since ${info.cycleStart.slice(0, 10)}` : ''}`}
        />
        <Fact
          testId="sl-forecast"
          label="Forecast to cycle end"
          value={dollars(info.forecastCents)}
          how={info.forecastExplanation}
        />
        <Fact
          testId="sl-limit"
          label="Limit in force"
          value={limitText(info.limit.known, info.limit.dollars)}
          how={info.limit.explanation}
        />
        <Fact
          testId="sl-suggestion"
          label="Suggested limit"
          value={`$${info.suggestion.dollars}`}
          how={info.suggestion.explanation}
        />
      </Stack>
      {!info.enabled && (
        <Alert severity="warning" title="Spend-limit changes are off" data-testid="sl-disabled">
          {info.disabledReason}
        </Alert>
      )}
      {result ? (
        <Alert severity="success" title="Cursor applied the change" data-testid="sl-result">
          {limitText(result.change.oldKnown, result.change.oldDollars)} → {limitText(true, result.change.newDollars)}{' '}
          for {result.change.email}. Cursor said: “{result.cursor.message}”. It is on the incident timeline, where it
          can be undone.
        </Alert>
      ) : (
        <>
          <Field
            label="New limit (whole dollars)"
            description="Prefilled with the suggestion"
            invalid={Boolean(valueError)}
            error={valueError}
            disabled={remove || !info.enabled}
          >
            <Input
              aria-label="New limit in dollars"
              type="number"
              min={0}
              step={1}
              prefix="$"
              width={16}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
            />
          </Field>
          {!remove && !valueError && n * 100 < info.cycleSpendCents && (
            <Alert severity="info" title="Below this cycle's spend" data-testid="sl-below-spend">
              {dollars(info.cycleSpendCents)} is already spent on demand this cycle: with a limit of ${n}, Cursor
              refuses their usage-based requests from now until the cycle ends on {info.cycleEnd?.slice(0, 10) ?? '—'}.
            </Alert>
          )}
          <div>
            <Checkbox
              label="Remove the limit instead"
              value={remove}
              disabled={!info.enabled}
              onChange={(e) => setRemove(e.currentTarget.checked)}
            />
          </div>
          <Field label="Reason" invalid={Boolean(reasonError) && reason !== ''} error={reasonError} required>
            <TextArea
              aria-label="Reason"
              value={reason}
              maxLength={2000}
              disabled={!info.enabled}
              placeholder="e.g. runaway agent; capping until the owner is back"
              onChange={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
        </>
      )}
      {error && <WorkerError error={error} />}
      <Modal.ButtonRow>
        <Button variant="secondary" onClick={props.onDismiss}>
          {result ? 'Close' : 'Cancel'}
        </Button>
        {!result && (
          <Button
            variant={remove ? 'destructive' : 'primary'}
            disabled={busy || !info.enabled || Boolean(valueError || reasonError)}
            onClick={submit}
          >
            {remove ? 'Remove the limit' : `Set the limit to $${valueError ? '…' : n}`}
          </Button>
        )}
      </Modal.ButtonRow>
    </Stack>
  );
}
