import { CHARGEBACK_CSV_COLUMNS } from '@cursor-cost-watch/contract';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { chargeback } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';

const CSV = `${CHARGEBACK_CSV_COLUMNS.join(',')}\r\n2026-11-17,2026-12-16,team,,,,"4,000.00"\r\n`;

describe('Chargeback page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));
  beforeEach(() => setRole('Viewer'));

  it('shows the team totals and one row per group, and expands a group into its developers', async () => {
    b = installFakeBackend({ chargeback: () => chargeback });
    renderApp('/chargeback');
    const team = await screen.findByTestId('chargeback-team');
    expect(team).toHaveTextContent('Team spend$4,000');
    expect(team).toHaveTextContent('Included$3,000');
    expect(team).toHaveTextContent('Usage-based$1,000');
    expect(team).toHaveTextContent("Cursor's /teams/spend$3,980");
    const groups = screen.getAllByTestId('chargeback-group');
    expect(groups.map((g) => within(g).getAllByRole('cell')[0].textContent)).toEqual([
      'Platform2 developers',
      'Data1 developer',
      'Unassigned1 developer',
    ]);
    expect(within(groups[0]).getByText('75.0%')).toBeInTheDocument();
    expect(within(groups[0]).getByText('claude-4.5-sonnet 66.7%')).toBeInTheDocument();
    expect(screen.queryAllByTestId('chargeback-developer')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Show developers of Platform' }));
    const devs = screen.getAllByTestId('chargeback-developer');
    expect(devs).toHaveLength(2);
    expect(devs[0]).toHaveTextContent('Carol Diaz');
    expect(devs[0]).toHaveTextContent('carol@example.com · 4 days in Platform');
    expect(devs[0]).toHaveTextContent('(83.3% of group)');
    expect(devs[1]).toHaveTextContent('bob@example.com2 days in Platform');
    expect(screen.getByRole('button', { name: 'Hide developers of Platform' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    expect(b.of('chargeback')[0].query).toEqual({});
  });

  it('loads another cycle from the picker', async () => {
    b = installFakeBackend({
      chargeback: (r) =>
        r.query.cycle ? { ...chargeback, cycle: r.query.cycle, cycleEnd: '2026-11-16', closed: true } : chargeback,
    });
    renderApp('/chargeback');
    expect(await screen.findByText('In progress')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Billing cycle'), { target: { value: '2026-10-17' } });
    expect(await screen.findByText('Closed: final')).toBeInTheDocument();
    expect(b.of('chargeback').at(-1)!.query).toEqual({ cycle: '2026-10-17' });
    expect(screen.getByRole('option', { name: '2026-10-17 to 2026-11-16' })).toBeInTheDocument();
  });

  it('downloads the cycle as CSV through the proxy', async () => {
    b = installFakeBackend({ chargeback: (r) => (r.query.format === 'csv' ? CSV : chargeback) });
    renderApp('/chargeback');
    fireEvent.click(await screen.findByRole('button', { name: /Download CSV/ }));
    const link = await screen.findByTestId('csv-link');
    expect(link).toHaveAttribute('download', 'cursor-chargeback-2026-11-17.csv');
    expect(decodeURIComponent(link.getAttribute('href')!.replace('data:text/csv;charset=utf-8,', ''))).toBe(CSV);
    expect(b.of('chargeback').at(-1)!.query).toEqual({ cycle: '2026-11-17', format: 'csv' });
  });

  it('refuses a CSV without the contract header, and says when nothing was collected', async () => {
    b = installFakeBackend({ chargeback: (r) => (r.query.format === 'csv' ? '<html>login</html>' : chargeback) });
    const view = renderApp('/chargeback');
    fireEvent.click(await screen.findByRole('button', { name: /Download CSV/ }));
    expect(await screen.findByText('The worker and the plugin disagree')).toBeInTheDocument();
    expect(screen.queryByTestId('csv-link')).not.toBeInTheDocument();
    view.unmount();
    b = installFakeBackend({
      chargeback: () => {
        throw new HttpFailure(404, { error: 'not_found', message: 'No billing cycle has been collected yet' });
      },
    });
    renderApp('/chargeback');
    await waitFor(() => expect(screen.getByText(/No billing cycle has been collected yet/)).toBeInTheDocument());
  });
});
