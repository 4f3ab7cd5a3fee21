import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { HttpFailure, installFakeBackend, setRole } from '../../../test/fakeBackend';
import { collection } from '../../../test/settingsFixtures';
import { Collection } from './Collection';

describe('Collection', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('shows each endpoint with its lag; an Editor starts a run and a 409 is explained', async () => {
    setRole('Editor');
    b = installFakeBackend({
      collectionStatus: () => collection,
      runCollection: () => {
        throw new HttpFailure(409, { error: 'conflict', message: 'A collection is already queued or running' });
      },
    });
    render(<Collection />);
    const table = await screen.findByTestId('collection-table');
    expect(table).toHaveTextContent('usage_events');
    expect(table).toHaveTextContent('1h ago');
    expect(table).toHaveTextContent('1h 20m');
    fireEvent.click(screen.getByRole('button', { name: /collect and detect now/i }));
    expect(await screen.findByText('A collection is already queued or running.')).toBeInTheDocument();
  });

  it('queues a run and reloads the status', async () => {
    setRole('Admin');
    b = installFakeBackend({ collectionStatus: () => collection, runCollection: () => ({ jobId: 'collect-1' }) });
    render(<Collection />);
    fireEvent.click(await screen.findByRole('button', { name: /collect and detect now/i }));
    expect(await screen.findByText(/Collection queued/)).toBeInTheDocument();
    await waitFor(() => expect(b.of('collectionStatus')).toHaveLength(2));
  });

  it('says when nothing was collected yet, and offers Viewers no run', async () => {
    setRole('Viewer');
    b = installFakeBackend({ collectionStatus: () => ({ ...collection, hasData: false, endpoints: [] }) });
    render(<Collection />);
    expect(await screen.findByText('No data yet')).toBeInTheDocument();
    expect(screen.queryByTestId('collection-table')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /collect and detect now/i })).not.toBeInTheDocument();
  });
});
