import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { detail, userDetail, users } from '../../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../../test/fakeBackend';
import { renderApp } from '../../test/render';
import { limitEvent, spendLimitInfo, spendLimitResult } from '../../test/spendLimitFixtures';

/** The spend-limit action on the incident page and the Users page, and its dialog. */
describe('SpendLimitButton', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  const openDialog = async () => {
    fireEvent.click(await screen.findByRole('button', { name: 'Spend limit' }));
    return screen.findByRole('dialog');
  };

  it('shows an Admin the figures and the suggestion, prefilled, then sets the limit with a reason', async () => {
    setRole('Admin');
    b = installFakeBackend({
      getIncident: () => detail(),
      getSpendLimit: () => spendLimitInfo(),
      changeSpendLimit: () => spendLimitResult(),
    });
    renderApp('/incidents/1');
    const dialog = await openDialog();
    expect(await within(dialog).findByTestId('sl-cycle-spend')).toHaveTextContent('$310.00');
    expect(b.of('getSpendLimit')[0]).toMatchObject({ path: '/api/spend-limits/carol@example.com' });
    expect(b.of('getSpendLimit')[0].query).toEqual({ incidentId: 1 });
    expect(within(dialog).getByTestId('sl-cycle-spend')).toHaveTextContent('$330.00 including included usage');
    expect(within(dialog).getByTestId('sl-forecast')).toHaveTextContent('$805.00');
    expect(within(dialog).getByTestId('sl-forecast')).toHaveTextContent('10.5 days left until 2026-12-01');
    expect(within(dialog).getByTestId('sl-limit')).toHaveTextContent('$200');
    expect(within(dialog).getByTestId('sl-suggestion')).toHaveTextContent('$675');
    expect(within(dialog).getByTestId('sl-suggestion')).toHaveTextContent(
      '× 1.5 (setting "spendLimitSuggestionFactor")',
    );
    expect(within(dialog).getByLabelText('New limit in dollars')).toHaveValue(675);
    const submit = within(dialog).getByRole('button', { name: 'Set the limit to $675' });
    expect(submit).toBeDisabled(); // no reason yet
    fireEvent.change(within(dialog).getByLabelText('New limit in dollars'), { target: { value: '2.5' } });
    expect(within(dialog).getByText(/A whole number of dollars/)).toBeInTheDocument();
    expect(within(dialog).queryByTestId('sl-below-spend')).not.toBeInTheDocument(); // $675 > $310 spent
    fireEvent.change(within(dialog).getByLabelText('New limit in dollars'), { target: { value: '250' } });
    expect(within(dialog).getByTestId('sl-below-spend')).toHaveTextContent(
      '$310.00 is already spent on demand this cycle: with a limit of $250, Cursor refuses their usage-based requests',
    );
    fireEvent.change(within(dialog).getByLabelText('New limit in dollars'), { target: { value: '500' } });
    fireEvent.change(within(dialog).getByLabelText('Reason'), { target: { value: 'runaway agent' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Set the limit to $500' }));
    await waitFor(() => expect(b.of('changeSpendLimit')).toHaveLength(1));
    expect(b.of('changeSpendLimit')[0].body).toEqual({
      email: 'carol@example.com',
      spendLimitDollars: 500,
      reason: 'runaway agent',
      incidentId: 1,
    });
    expect(await within(dialog).findByTestId('sl-result')).toHaveTextContent(
      '$200 → $675 for carol@example.com. Cursor said: “Spend limit for carol@example.com set to $675”',
    );
    await waitFor(() => expect(b.of('getIncident')).toHaveLength(2)); // the timeline reloads
  });

  it('removes the limit (null) when asked', async () => {
    setRole('Admin');
    b = installFakeBackend({
      getIncident: () => detail(),
      getSpendLimit: () => spendLimitInfo(),
      changeSpendLimit: () => spendLimitResult(null),
    });
    renderApp('/incidents/1');
    const dialog = await openDialog();
    fireEvent.click(await within(dialog).findByLabelText('Remove the limit instead'));
    fireEvent.change(within(dialog).getByLabelText('Reason'), { target: { value: 'back to normal' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove the limit' }));
    await waitFor(() => expect(b.of('changeSpendLimit')).toHaveLength(1));
    expect(b.of('changeSpendLimit')[0].body).toMatchObject({ spendLimitDollars: null });
  });

  it.each([
    [
      422,
      'cursor_refused',
      'Cursor answered outcome "error": User carol@example.com is not in the team. The limit was not changed.',
    ],
    [
      502,
      'cursor_http_error',
      'Cursor answered HTTP 500 to POST /teams/user-spend-limit: {"error":"Internal Server Error"}. The limit was not changed.',
    ],
  ])("shows Cursor's refusal (%s) as it is, not as a worker outage", async (status, error, message) => {
    setRole('Admin');
    b = installFakeBackend({
      getIncident: () => detail(),
      getSpendLimit: () => spendLimitInfo(),
      changeSpendLimit: () => {
        throw new HttpFailure(status, { error, message });
      },
    });
    renderApp('/incidents/1');
    const dialog = await openDialog();
    fireEvent.change(await within(dialog).findByLabelText('Reason'), { target: { value: 'x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: /Set the limit/ }));
    const alert = await within(dialog).findByTestId('worker-error');
    expect(alert).toHaveTextContent('Cursor did not apply the change');
    expect(alert).toHaveTextContent(message);
    expect(alert).not.toHaveTextContent('cannot be reached');
    expect(within(dialog).queryByTestId('sl-result')).not.toBeInTheDocument();
  });

  it('says why changes are off and allows none when the feature is off', async () => {
    setRole('Admin');
    const reason = 'Spend-limit changes are off because a real Cursor key is configured …';
    b = installFakeBackend({
      getIncident: () => detail(),
      getSpendLimit: () => spendLimitInfo({ enabled: false, disabledReason: reason }),
    });
    renderApp('/incidents/1');
    const dialog = await openDialog();
    expect(await within(dialog).findByTestId('sl-disabled')).toHaveTextContent(reason);
    expect(within(dialog).getByLabelText('Reason')).toBeDisabled();
    expect(within(dialog).getByRole('button', { name: /Set the limit/ })).toBeDisabled();
  });

  it.each(['Viewer', 'Editor'] as const)('is not offered to a %s, on the incident nor the Users page', async (role) => {
    setRole(role);
    b = installFakeBackend({
      getIncident: () => ({ ...detail(), timeline: [...detail().timeline, limitEvent(2, 5)] }),
      searchUsers: () => users,
      getUser: () => userDetail,
    });
    const page = renderApp('/incidents/1');
    expect(await screen.findByText(/Spend limit of carol@example.com/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Spend limit' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Undo' })).not.toBeInTheDocument();
    page.unmount();
    const list = renderApp('/users');
    expect(await screen.findByText('carol@example.com')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Spend limit' })).not.toBeInTheDocument();
    list.unmount();
    renderApp(`/users/${encodeURIComponent('carol@example.com')}`);
    expect(await screen.findByText('#1 of 4')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Spend limit' })).not.toBeInTheDocument();
  });

  it('is offered per developer on the Users page, without an incident', async () => {
    setRole('Admin');
    b = installFakeBackend({
      searchUsers: () => users,
      getSpendLimit: (r) => spendLimitInfo({ email: r.params.email }),
    });
    renderApp('/users');
    const buttons = await screen.findAllByRole('button', { name: 'Spend limit' });
    expect(buttons).toHaveLength(users.items.length);
    fireEvent.click(buttons[1]);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Spend limit for bob@example.com')).toBeInTheDocument();
    await waitFor(() => expect(b.of('getSpendLimit')).toHaveLength(1));
    expect(b.of('getSpendLimit')[0]).toMatchObject({ path: '/api/spend-limits/bob@example.com', query: {} });
  });
});
