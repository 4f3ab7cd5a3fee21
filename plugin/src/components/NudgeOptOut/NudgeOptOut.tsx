import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Field, Input, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { NUDGE_SKIP_LABELS, type NudgeSkipReason } from '@cursor-cost-watch/contract';
import { asWorkerError, type WorkerApiError } from '../../api/errors';
import { useNudgeActions, useNudgeStatus } from '../../api/useNudges';
import { prefixRoute, ROUTES } from '../../constants';
import { detectorLabel } from '../../utils/format';
import { resolutionLabel } from '../../utils/timeline';
import { currentPermissions } from '../../utils/roles';
import { SimpleTable } from '../SimpleTable/SimpleTable';
import { WorkerError } from '../WorkerError/WorkerError';

const OUTCOME: Record<string, string> = {
  escalated: 'Escalated to the team',
  fixed_after_nudge: resolutionLabel('fixed_after_nudge'),
  closed: 'Closed by a person',
};

/**
 * A developer's personal nudges (issue 15): whether they get a personal email before the team channels hear about
 * their anomalies, the switch to opt them out (Editors; the worker audits it), and their latest nudges.
 */
export function NudgeOptOut({ email }: { email: string }) {
  const { canEdit } = currentPermissions();
  const status = useNudgeStatus(email);
  const nudges = useNudgeActions();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WorkerApiError>();
  const s = status.value;

  const change = async (optedOut: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await nudges.setOptOut(email, optedOut ? { optedOut, reason: reason.trim() || undefined } : { optedOut });
      setReason('');
      status.reload();
    } catch (e) {
      setError(asWorkerError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="nudge-opt-out">
      <Text element="h3">Personal nudges</Text>
      {status.error && <WorkerError error={status.error} onRetry={status.reload} />}
      {status.loading && !s && <LoadingPlaceholder text="Loading nudges…" />}
      {s && (
        <Stack direction="column" gap={1}>
          <Text color="secondary">
            {s.policyDetectors.length === 0
              ? 'No detector nudges the developer first (Settings → Notifications).'
              : `Anomalies from ${s.policyDetectors.map(detectorLabel).join(', ')} email the developer before the team channels hear about them (at most ${s.dailyCap} a day).`}
          </Text>
          <div data-testid="nudge-state">
            {s.optedOut ? (
              <Text>
                Opted out by {s.changedBy} on {s.changedAt?.slice(0, 10)}
                {s.reason ? ` (“${s.reason}”)` : ''}: their anomalies go straight to the team channels.
              </Text>
            ) : (
              <Text>Gets personal nudges.</Text>
            )}
          </div>
          {canEdit && (
            <Stack gap={1} alignItems="flex-end" wrap="wrap">
              {!s.optedOut && (
                <Field label="Reason (optional)" noMargin>
                  <Input
                    aria-label="Opt-out reason"
                    width={40}
                    value={reason}
                    onChange={(e) => setReason(e.currentTarget.value)}
                  />
                </Field>
              )}
              <Button
                variant="secondary"
                icon={s.optedOut ? 'envelope' : 'bell-slash'}
                disabled={busy}
                onClick={() => change(!s.optedOut)}
              >
                {s.optedOut ? 'Opt back in to nudges' : 'Opt out of nudges'}
              </Button>
            </Stack>
          )}
          {error && <WorkerError error={error} />}
          {s.recent.length > 0 && (
            <SimpleTable head={['Incident', 'Detector', 'Nudge', 'Outcome']} testId="nudge-history">
              {s.recent.map((n) => (
                <tr key={n.incidentId}>
                  <td>
                    <Link to={prefixRoute(`${ROUTES.Incidents}/${n.incidentId}`)}>#{n.incidentId}</Link>
                  </td>
                  <td>{detectorLabel(n.detector)}</td>
                  <td>
                    {n.status === 'skipped'
                      ? `skipped: ${NUDGE_SKIP_LABELS[n.skipReason as NudgeSkipReason] ?? n.skipReason}`
                      : n.status === 'sent'
                        ? `sent ${n.sentAt?.slice(0, 16).replace('T', ' ')} UTC`
                        : n.status}
                  </td>
                  <td>{n.outcome ? OUTCOME[n.outcome] : n.status === 'skipped' ? '—' : 'waiting'}</td>
                </tr>
              ))}
            </SimpleTable>
          )}
        </Stack>
      )}
    </section>
  );
}
