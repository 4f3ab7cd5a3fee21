import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { installFakeBackend, setRole } from '../../../test/fakeBackend';
import { snoozes } from '../../../test/settingsFixtures';
import { Snoozes } from './Snoozes';

describe('Snoozes', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('lets an Editor end a snooze, then shows the list again', async () => {
    setRole('Editor');
    let ended = false;
    b = installFakeBackend({
      listSnoozes: () => (ended ? { items: [] } : snoozes),
      deleteSnooze: () => {
        ended = true;
        return { ok: true };
      },
    });
    render(<Snoozes />);
    const table = await screen.findByTestId('snooze-table');
    expect(within(table).getByText('2026-11-25 00:00 UTC')).toBeInTheDocument();
    expect(within(table).getByText('lead.lou')).toBeInTheDocument();
    fireEvent.click(within(table).getByRole('button', { name: /end snooze/i }));
    await waitFor(() => expect(b.of('deleteSnooze')[0]?.path).toBe('/api/snoozes/4'));
    expect(await screen.findByText(/Nothing is snoozed/)).toBeInTheDocument();
    expect(b.of('listSnoozes')).toHaveLength(2);
  });

  it('shows Viewers who is snoozed, without the button', async () => {
    setRole('Viewer');
    b = installFakeBackend({ listSnoozes: () => snoozes });
    render(<Snoozes />);
    expect(await screen.findByText('offsite')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /end snooze/i })).not.toBeInTheDocument();
  });
});
