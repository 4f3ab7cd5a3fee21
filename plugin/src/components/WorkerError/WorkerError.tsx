import React from 'react';
import { Alert, Button, LinkButton } from '@grafana/ui';
import type { WorkerApiError } from '../../api/errors';
import { PLUGIN_ID } from '../../constants';

const HELP: Record<string, { title: string; text: string; config?: boolean }> = {
  unreachable: {
    title: 'The worker cannot be reached',
    text: 'Grafana could not connect to the cursor-cost-watch worker. Check that it is running and that the worker URL on the plugin Configuration page is right.',
    config: true,
  },
  unauthorized: {
    title: 'The worker refused the API token',
    text: 'The token saved in the plugin configuration does not match WORKER_API_TOKEN on the worker. An admin can set it on the Configuration page.',
    config: true,
  },
  not_found: { title: 'Not found', text: 'It may have been removed, or the link is wrong.' },
  conflict: { title: 'Not possible right now', text: '' },
  invalid: { title: 'Some values were refused', text: '' },
  contract: { title: 'The worker and the plugin disagree', text: '' },
  server: { title: 'The worker failed to answer', text: 'See the worker log for details.' },
  cursor: { title: 'Cursor did not apply the change', text: '' },
};

/**
 * Grafana's proxy refused the call for the user's role (403): a "not allowed" state, not a failure: no retry, and it
 * names the role to ask for.
 */
export function PermissionDenied({ error }: { error: WorkerApiError }) {
  const needs = error.needs ?? 'Editor';
  return (
    <Alert
      severity="warning"
      title={`You don't have permission to ${error.action ?? 'do this'} (needs ${needs})`}
      data-testid="permission-denied"
    >
      <div>
        Grafana allows this to users with the {needs} role{needs === 'Admin' ? '' : ' or higher'} in this organisation.
        Ask
        {needs === 'Admin' ? ' an organisation Admin' : ` an ${needs} or an Admin`} to do it, or an organisation Admin
        to change your role. (Roles are checked by Grafana when the request is made, so a role changed since this page
        loaded applies now.)
      </div>
    </Alert>
  );
}

/** A failed worker call explained in words a manager can act on, with a retry. */
export function WorkerError({ error, onRetry }: { error: WorkerApiError; onRetry?: () => void }) {
  if (error.kind === 'forbidden') {
    return <PermissionDenied error={error} />;
  }
  const help = HELP[error.kind] ?? HELP.server;
  return (
    <Alert
      severity={error.kind === 'conflict' || error.kind === 'invalid' ? 'warning' : 'error'}
      title={help.title}
      data-testid="worker-error"
    >
      <div>{[help.text, error.message].filter(Boolean).join(' ')}</div>
      {error.issues && error.issues.length > 0 && (
        <ul>
          {error.issues.map((i) => (
            <li key={i.path + i.message}>
              <code>{i.path}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
      <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
        {onRetry && (
          <Button size="sm" variant="secondary" icon="sync" onClick={onRetry}>
            Try again
          </Button>
        )}
        {help.config && (
          <LinkButton size="sm" variant="secondary" href={`/plugins/${PLUGIN_ID}`}>
            Open configuration
          </LinkButton>
        )}
      </div>
    </Alert>
  );
}
