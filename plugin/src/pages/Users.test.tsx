import { fireEvent, screen, waitFor } from '@testing-library/react';
import { userDetail, users } from '../test/fixtures';
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

  it("shows a member's spend, rank, trend and incidents with a link to the user dashboard", async () => {
    b = installFakeBackend({ getUser: () => userDetail });
    renderApp(`/users/${encodeURIComponent('carol@example.com')}`);
    expect(await screen.findByText('#1 of 4')).toBeInTheDocument();
    // Grafana's proxy unescapes what `*` matched and re-escapes canonically: the worker sees a plain `@`.
    expect(b.of('getUser')[0].path).toBe('/api/users/carol@example.com');
    expect(screen.getByTestId('cycle-spend')).toHaveTextContent('$880.00');
    expect(screen.getByTestId('sparkline')).toBeInTheDocument();
    expect(screen.getByText('Model shift')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /user dashboard/i })).toHaveAttribute(
      'href',
      '/d/cursor-user?var-email=carol@example.com'
    );
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
