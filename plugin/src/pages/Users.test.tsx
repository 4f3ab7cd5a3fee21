import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { nudgeStatus, userDetail, users } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';

describe('Users page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));
  beforeEach(() => setRole('Viewer'));

  it('lists members by spend and searches', async () => {
    b = installFakeBackend({
      searchUsers: (r) => ({
        ...users,
        items: r.query.search ? users.items.filter((u) => u.email.includes(String(r.query.search))) : users.items,
      }),
    });
    renderApp('/users');
    expect(await screen.findByText('carol@example.com')).toBeInTheDocument();
    expect(screen.getByText('$880.00')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search users'), { target: { value: 'bob' } });
    await waitFor(() => expect(screen.queryByText('carol@example.com')).not.toBeInTheDocument());
    expect(b.of('searchUsers').at(-1)!.query).toEqual({ search: 'bob' });
  });

  it('shows rank, trend, spend, share of team and open incidents as badges linking to each incident', async () => {
    b = installFakeBackend({ searchUsers: () => users });
    renderApp('/users');
    const table = await screen.findByTestId('user-table');
    const carol = within(table).getByText('carol@example.com').closest('tr')!;
    expect(within(carol).getByText('62%')).toBeInTheDocument(); // 880 of 1,430 dollars
    expect(within(carol).getByText('$880.00')).toBeInTheDocument();
    expect(within(carol).getByRole('link', { name: 'Incident 7' })).toHaveAttribute(
      'href',
      '/a/cursorwatch-cost-app/incidents/7',
    );
    expect(within(carol).getByText('Model shift · $300.00')).toBeInTheDocument();
    // Four open, three listed: the fourth is on the member's page.
    expect(within(carol).getByRole('link', { name: '+1 more' })).toHaveAttribute(
      'href',
      '/a/cursorwatch-cost-app/users/carol%40example.com',
    );
    const dan = within(table).getByText('dan@example.com').closest('tr')!;
    expect(within(dan).getByText('0.3%')).toBeInTheDocument(); // a small share is not "0%"
    expect(within(dan).getByText('none')).toBeInTheDocument();
  });

  it('sorts by any column: share of team (largest first), then member name', async () => {
    b = installFakeBackend({ searchUsers: () => users });
    renderApp('/users');
    const table = await screen.findByTestId('user-table');
    const order = () =>
      within(table)
        .getAllByRole('link', { name: /@example\.com$/ })
        .map((a) => a.textContent);
    expect(order()).toEqual(['carol@example.com', 'bob@example.com', 'dan@example.com']); // by rank
    fireEvent.click(within(table).getByText('Member'));
    expect(order()).toEqual(['bob@example.com', 'carol@example.com', 'dan@example.com']);
    fireEvent.click(within(table).getByText('Share of team'));
    expect(order()).toEqual(['carol@example.com', 'bob@example.com', 'dan@example.com']);
    fireEvent.click(within(table).getByText('Share of team'));
    expect(order()).toEqual(['dan@example.com', 'bob@example.com', 'carol@example.com']);
  });

  it('still lists members from a worker that sends no share, trend or incident list', async () => {
    b = installFakeBackend({
      searchUsers: () => ({
        ...users,
        items: users.items.map(({ email, name, isRemoved, spendCents, rank, openIncidents }) => ({
          email,
          name,
          isRemoved,
          spendCents,
          rank,
          openIncidents,
        })),
        teamSpendCents: undefined,
      }),
    });
    renderApp('/users');
    const table = await screen.findByTestId('user-table');
    const carol = within(table).getByText('carol@example.com').closest('tr')!;
    expect(within(carol).getByText('4')).toBeInTheDocument();
    expect(within(carol).queryByRole('link', { name: /Incident/ })).not.toBeInTheDocument();
  });

  it("shows a member's spend, rank, trend and incidents with a link to the user dashboard", async () => {
    b = installFakeBackend({ getUser: () => userDetail, getNudgeStatus: () => ({ ...nudgeStatus, recent: [] }) });
    renderApp(`/users/${encodeURIComponent('carol@example.com')}`);
    expect(await screen.findByText('#1 of 4')).toBeInTheDocument();
    // Grafana's proxy unescapes what `*` matched and re-escapes canonically: the worker sees a plain `@`.
    expect(b.of('getUser')[0].path).toBe('/api/users/carol@example.com');
    expect(screen.getByTestId('cycle-spend')).toHaveTextContent('$880.00');
    expect(screen.getByTestId('sparkline')).toBeInTheDocument();
    expect(screen.getByText('Model shift')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /user dashboard/i })).toHaveAttribute(
      'href',
      '/d/cursor-user?var-email=carol@example.com',
    );
  });

  it("shows a developer's nudges, and lets an Editor opt them out with a reason and back in", async () => {
    setRole('Editor');
    let state = nudgeStatus;
    b = installFakeBackend({
      getUser: () => userDetail,
      getNudgeStatus: () => state,
      setNudgeOptOut: (r) => {
        const body = r.body as { optedOut: boolean; reason?: string };
        state = body.optedOut
          ? {
              ...state,
              optedOut: true,
              reason: body.reason ?? null,
              changedBy: 'tester',
              changedAt: '2026-11-20T12:00:00.000Z',
            }
          : { ...state, optedOut: false, reason: null, changedBy: null, changedAt: null };
        return state;
      },
    });
    renderApp(`/users/${encodeURIComponent('carol@example.com')}`);
    const section = await screen.findByTestId('nudge-state');
    expect(section).toHaveTextContent('Gets personal nudges.');
    expect(screen.getByText(/Anomalies from Model shift, Personal spike email the developer/)).toBeInTheDocument();
    expect(screen.getByTestId('nudge-history')).toHaveTextContent('Fixed after nudge');
    fireEvent.change(screen.getByLabelText('Opt-out reason'), { target: { value: 'on call' } });
    fireEvent.click(screen.getByRole('button', { name: 'Opt out of nudges' }));
    await waitFor(() =>
      expect(screen.getByTestId('nudge-state')).toHaveTextContent('Opted out by tester on 2026-11-20 (“on call”)'),
    );
    expect(b.of('setNudgeOptOut')[0].body).toEqual({ optedOut: true, reason: 'on call' });
    expect(b.of('setNudgeOptOut')[0].path).toBe('/api/users/carol@example.com/nudge-opt-out');
    fireEvent.click(screen.getByRole('button', { name: 'Opt back in to nudges' }));
    await waitFor(() => expect(screen.getByTestId('nudge-state')).toHaveTextContent('Gets personal nudges.'));
    expect(b.of('setNudgeOptOut')[1].body).toEqual({ optedOut: false });
  });

  it('shows a Viewer the nudge state without the switch', async () => {
    setRole('Viewer');
    b = installFakeBackend({ getUser: () => userDetail, getNudgeStatus: () => nudgeStatus });
    renderApp(`/users/${encodeURIComponent('carol@example.com')}`);
    expect(await screen.findByTestId('nudge-state')).toHaveTextContent('Gets personal nudges.');
    expect(screen.queryByRole('button', { name: 'Opt out of nudges' })).not.toBeInTheDocument();
  });

  it('says when nothing has been collected, and when the worker is down', async () => {
    b = installFakeBackend({ searchUsers: () => ({ items: [], cycleStart: null, members: 0 }) });
    const view = renderApp('/users');
    expect(await screen.findByText('No members collected yet')).toBeInTheDocument();
    view.unmount();
    b = installFakeBackend({
      searchUsers: () => {
        throw new HttpFailure(502, '');
      },
    });
    renderApp('/users');
    expect(await screen.findByText('The worker cannot be reached')).toBeInTheDocument();
  });
});
