import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { WorkerApiError } from '../../api/errors';
import { WorkerError } from './WorkerError';

describe('WorkerError', () => {
  it('explains an unreachable worker, offers a retry and the configuration page', () => {
    const retry = jest.fn();
    render(<WorkerError error={new WorkerApiError('unreachable', 'connect ECONNREFUSED', 502)} onRetry={retry} />);
    const alert = screen.getByTestId('worker-error');
    expect(alert).toHaveTextContent('The worker cannot be reached');
    expect(alert).toHaveTextContent('connect ECONNREFUSED');
    expect(screen.getByRole('link', { name: 'Open configuration' })).toHaveAttribute(
      'href',
      '/plugins/cursorwatch-cost-app',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('lists the fields the worker refused, without a configuration link', () => {
    const issues = [{ path: 'minImpactDollars', message: 'must be at least 0' }];
    render(<WorkerError error={new WorkerApiError('invalid', 'Invalid settings', 400, issues)} />);
    expect(screen.getByTestId('worker-error')).toHaveTextContent('Some values were refusedInvalid settings');
    expect(screen.getByRole('listitem')).toHaveTextContent('minImpactDollars must be at least 0');
    expect(screen.queryByRole('link', { name: 'Open configuration' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
  });

  it('says a 403 is the role, names the role needed, and offers no retry', () => {
    const error = new WorkerApiError('forbidden', 'denied', 403, [], 'Admin', 'change the detection settings');
    render(<WorkerError error={error} onRetry={() => {}} />);
    expect(screen.getByTestId('permission-denied')).toHaveTextContent(
      "You don't have permission to change the detection settings (needs Admin)",
    );
    expect(screen.getByTestId('permission-denied')).toHaveTextContent('Ask an organisation Admin');
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
  });
});
