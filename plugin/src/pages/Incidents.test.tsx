import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { detail, incident, list, metrics } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';

const rows = [
  incident(),
  incident({
    id: 2,
    subject: 'alice@example.com',
    detector: 'personal_spike',
    severity: 'warning',
    status: 'acknowledged',
    acknowledgedBy: 'manager.mia',
    impactCents: 9_000,
  }),
];

function backend(over = {}) {
  return installFakeBackend({
    listIncidents: () => list(rows),
    incidentMetrics: () => metrics,
    getIncident: () => detail(),
    acknowledgeIncident: (r) => ({ ...rows[0], id: Number(r.params.id), status: 'acknowledged', acknowledgedBy: 'me' }),
    ...over,
  });
}

describe('Incidents page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('shows the stat cards and the incidents with severity, impact, age and owner', async () => {
    setRole('Viewer');
    b = backend();
    renderApp('/incidents');
    expect(await screen.findByText('carol@example.com')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-Open incidents')).getByText('3')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-MTTD')).getByText('1h 1m')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-Time to alert')).getByText('1m')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-MTTI')).getByText('15m')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-MTTR')).getByText('1d')).toBeInTheDocument();
    expect(within(screen.getByTestId('stat-MTTR nudged')).getByText('1d 2h')).toBeInTheDocument();
    expect(screen.getByTestId('stat-MTTR nudged')).toHaveTextContent(
      '3 nudged · $45.00 excess · 2 fixed after nudge, 1 escalated',
    );
    expect(within(screen.getByTestId('stat-MTTR not nudged')).getByText('3d')).toBeInTheDocument();
    expect(screen.getByTestId('stat-MTTR not nudged')).toHaveTextContent('4 not nudged · $1,189 excess');
    const carol = screen.getByTestId('incident-row-1');
    expect(within(carol).getByText('critical')).toBeInTheDocument();
    expect(within(carol).getByText('$300.00')).toBeInTheDocument();
    expect(within(screen.getByTestId('incident-row-2')).getByText('manager.mia')).toBeInTheDocument();
    expect(b.of('listIncidents')[0].query).toMatchObject({
      status: 'open,alerted,acknowledged',
      sort: 'impact_cents',
      order: 'desc',
      page: 1,
    });
  });

  it('filters by user and status', async () => {
    setRole('Viewer');
    b = backend();
    renderApp('/incidents');
    await screen.findByText('carol@example.com');
    fireEvent.change(screen.getByLabelText('User'), { target: { value: 'alice' } });
    await waitFor(() => expect(b.of('listIncidents').at(-1)!.query).toMatchObject({ user: 'alice' }));
    fireEvent.click(screen.getByLabelText('Resolved') ?? screen.getByText('Resolved'));
    await waitFor(() =>
      expect(b.of('listIncidents').at(-1)!.query).toMatchObject({ status: 'resolved', user: 'alice' }),
    );
  });

  it('hides actions from Viewers and lets Editors acknowledge', async () => {
    setRole('Viewer');
    b = backend();
    const view = renderApp('/incidents');
    await screen.findByText('carol@example.com');
    expect(screen.queryByRole('button', { name: /acknowledge/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /resolve/i })).not.toBeInTheDocument();
    view.unmount();

    setRole('Editor');
    b = backend();
    renderApp('/incidents');
    await screen.findByText('carol@example.com');
    expect(screen.getAllByRole('button', { name: /resolve/i })).toHaveLength(2);
    fireEvent.click(within(screen.getByTestId('incident-row-1')).getByRole('button', { name: /acknowledge/i }));
    await waitFor(() => expect(b.of('acknowledgeIncident')).toHaveLength(1));
    expect(b.of('acknowledgeIncident')[0]).toMatchObject({ path: '/api/incidents/1/acknowledge', body: {} });
    await waitFor(() => expect(b.of('listIncidents').length).toBeGreaterThan(1));
  });

  it('says when there is nothing to do', async () => {
    setRole('Viewer');
    b = backend({ listIncidents: () => list([]) });
    renderApp('/incidents');
    expect(await screen.findByText('No active incidents')).toBeInTheDocument();
  });

  it('explains an unreachable worker and a wrong token', async () => {
    setRole('Viewer');
    b = backend({
      listIncidents: () => {
        throw new HttpFailure(502, 'Bad Gateway');
      },
    });
    const view = renderApp('/incidents');
    expect(await screen.findByText('The worker cannot be reached')).toBeInTheDocument();
    view.unmount();
    b = backend({
      listIncidents: () => {
        throw new HttpFailure(401, {
          error: 'unauthorized',
          message: 'The API token is wrong: check the plugin configuration',
        });
      },
    });
    renderApp('/incidents');
    expect(await screen.findByText('The worker refused the API token')).toBeInTheDocument();
    expect(screen.getByText(/token is wrong/)).toBeInTheDocument();
  });
});
