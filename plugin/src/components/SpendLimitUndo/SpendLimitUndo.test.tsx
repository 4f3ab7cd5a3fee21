import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { detail } from '../../test/fixtures';
import { installFakeBackend, setRole } from '../../test/fakeBackend';
import { renderApp } from '../../test/render';
import { limitEvent, spendLimitResult } from '../../test/spendLimitFixtures';

/** Undo of the latest spend-limit change, on the incident timeline. */
describe('SpendLimitUndo', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('undoes the latest change from the timeline with a reason; an undone change has no Undo', async () => {
    setRole('Admin');
    let undone = false;
    b = installFakeBackend({
      getIncident: () => ({
        ...detail(),
        timeline: [
          ...detail().timeline,
          limitEvent(2, 4, { newDollars: 300, note: 'Spend limit of carol@example.com: $200 → $300. first' }),
          limitEvent(3, 5, { oldDollars: 300, note: 'Spend limit of carol@example.com: $300 → $675. second' }),
          ...(undone
            ? [limitEvent(4, 6, { oldDollars: 675, newDollars: 300, undoOf: 5, note: 'Undo of change 5: too strict' })]
            : []),
        ],
      }),
      undoSpendLimitChange: () => {
        undone = true;
        return spendLimitResult(300, 6);
      },
    });
    renderApp('/incidents/1');
    const timeline = await screen.findByTestId('timeline');
    await within(timeline).findByText(/\$300 → \$675/);
    // Only the latest change can be undone.
    const undo = within(timeline).getAllByRole('button', { name: 'Undo' });
    expect(undo).toHaveLength(1);
    expect(undo[0].closest('li')).toHaveTextContent('$300 → $675');
    fireEvent.click(undo[0]);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Undo: restore $300 for carol@example.com')).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', { name: 'Undo the change' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Reason for the undo'), { target: { value: 'too strict' } });
    fireEvent.click(confirm);
    await waitFor(() => expect(b.of('undoSpendLimitChange')).toHaveLength(1));
    expect(b.of('undoSpendLimitChange')[0]).toMatchObject({
      path: '/api/spend-limits/changes/5/undo',
      body: { reason: 'too strict' },
    });
    expect(await within(timeline).findByText(/Undo of change 5/)).toBeInTheDocument();
    // The undo is itself the latest change: it can be undone (redo), the two before it cannot.
    const after = within(screen.getByTestId('timeline')).getAllByRole('button', { name: 'Undo' });
    expect(after).toHaveLength(1);
    expect(after[0].closest('li')).toHaveTextContent('Undo of change 5');
  });
});
