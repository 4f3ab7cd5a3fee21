import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { detail, incident } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';

describe('Incident detail page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('shows the evidence chart with band and onset, the why, model mix, timeline and dashboard links', async () => {
    setRole('Viewer');
    b = installFakeBackend({ getIncident: () => detail() });
    renderApp('/incidents/1');
    expect(await screen.findByTestId('evidence-chart')).toBeInTheDocument();
    expect(b.of('getIncident')[0].path).toBe('/api/incidents/1');
    expect(screen.getByTestId('expected-band')).toHaveTextContent('Shaded: the normal range; dashed: expected');
    expect(within(screen.getByTestId('onset-marker')).getByText('onset 2026-11-17')).toBeInTheDocument();
    expect(within(screen.getByTestId('why')).getByText(/more expensive models/)).toBeInTheDocument();
    expect(within(screen.getByTestId('why')).getByText('Cost per request: 5.4× expected')).toBeInTheDocument();
    expect(within(screen.getByTestId('model-mix')).getByText('claude-4-opus')).toBeInTheDocument();
    expect(within(screen.getByTestId('timeline')).getByText('Opened')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /user dashboard/i })).toHaveAttribute(
      'href',
      '/d/cursor-user?var-email=carol@example.com',
    );
    expect(screen.queryByRole('button', { name: /resolve/i })).not.toBeInTheDocument();
  });

  it('names no expected line or band in the key when the worker sends none, and labels every timeline action', async () => {
    setRole('Viewer');
    const d = detail();
    const at = '2026-11-18T06:00:00.000Z';
    b = installFakeBackend({
      getIncident: () => ({
        ...d,
        series: d.series.map((p) => ({ ...p, expected: null, bandLow: null, bandHigh: null })),
        timeline: [
          ...d.timeline,
          {
            id: 2,
            at,
            actor: 'detector',
            action: 'onset_moved',
            fromStatus: 'open',
            toStatus: 'open',
            details: { fromOnset: '2026-11-17T00:00:00.000Z', toOnset: '2026-11-16T00:00:00.000Z' },
          },
          {
            id: 3,
            at,
            actor: 'detector',
            action: 'auto_resolved',
            fromStatus: 'open',
            toStatus: 'resolved',
            details: {},
          },
        ],
      }),
    });
    renderApp('/incidents/1');
    await screen.findByTestId('evidence-chart');
    expect(screen.queryByTestId('expected-band')).not.toBeInTheDocument();
    const timeline = screen.getByTestId('timeline');
    expect(within(timeline).getByText('Onset moved')).toBeInTheDocument();
    expect(timeline.textContent).toContain('(2026-11-17 → 2026-11-16)');
    expect(within(timeline).getByText('Resolved automatically (back to normal)')).toBeInTheDocument();
    expect(timeline.textContent).not.toMatch(/_/);
  });

  it("shows a nudged incident's timeline with human labels and its fixed-after-nudge resolution", async () => {
    setRole('Viewer');
    const d = detail({
      status: 'resolved',
      resolutionReason: 'fixed_after_nudge',
      resolvedBy: 'system',
      resolvedAt: '2026-11-19T23:00:00.000Z',
    });
    const entry = (id: number, at: string, action: string, details: Record<string, unknown>) => ({
      id,
      at,
      actor: 'system',
      action,
      fromStatus: 'open',
      toStatus: action === 'fixed_after_nudge' ? 'resolved' : 'open',
      details,
    });
    b = installFakeBackend({
      getIncident: () => ({
        ...d,
        timeline: [
          ...d.timeline,
          entry(2, '2026-11-17T06:00:05.000Z', 'nudged', {
            email: 'carol@example.com',
            escalateAt: '2026-11-19T06:00:00.000Z',
          }),
          entry(3, '2026-11-18T23:00:00.000Z', 'fixed_after_nudge', {
            reason: 'fixed_after_nudge',
            note: 'Back to usual after the nudge',
          }),
        ],
      }),
    });
    renderApp('/incidents/1');
    const timeline = await screen.findByTestId('timeline');
    expect(within(timeline).getByText('Developer nudged by email')).toBeInTheDocument();
    expect(timeline).toHaveTextContent(
      'personal email to carol@example.com; the team hears about it on 2026-11-19 06:00 UTC if still active',
    );
    expect(within(timeline).getByText('Fixed after nudge')).toBeInTheDocument();
    expect(timeline).toHaveTextContent('“Back to usual after the nudge”');
    expect(screen.getAllByText('Fixed after nudge')).toHaveLength(2); // the timeline and the Resolution fact
    expect(screen.getByText('Resolution')).toBeInTheDocument();
  });

  it('says a developer without history is new instead of a ratio against zero', async () => {
    setRole('Viewer');
    const d = detail();
    b = installFakeBackend({
      getIncident: () => ({ ...d, why: { ...d.why, volumeFactor: 1_000_000, costPerRequestFactor: 1_000_000 } }),
    });
    renderApp('/incidents/1');
    const why = await screen.findByTestId('why');
    expect(within(why).getByText('new — no history to compare')).toBeInTheDocument();
    expect(why.textContent).not.toMatch(/1000000/);
  });

  it('lets an Editor resolve with a reason and note', async () => {
    setRole('Editor');
    b = installFakeBackend({
      getIncident: () => detail(),
      resolveIncident: () => incident({ status: 'resolved', resolutionReason: 'false_positive' }),
    });
    renderApp('/incidents/1');
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }));
    fireEvent.click(await screen.findByLabelText('False positive'));
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'a benchmark run' } });
    fireEvent.click(screen.getByRole('button', { name: /resolve as false positive/i }));
    await waitFor(() => expect(b.of('resolveIncident')).toHaveLength(1));
    expect(b.of('resolveIncident')[0].body).toEqual({ reason: 'false_positive', note: 'a benchmark run' });
    await waitFor(() => expect(b.of('getIncident')).toHaveLength(2));
  });

  it('shows Grafana\'s 403 as "not allowed (needs Editor)" when the role was lowered after the page loaded', async () => {
    setRole('Editor'); // what the page loaded with
    b = installFakeBackend(
      { getIncident: () => detail({ status: 'open' }), acknowledgeIncident: () => incident() },
      { proxyRole: 'Viewer' },
    );
    renderApp('/incidents/1');
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    expect(
      await screen.findByText("You don't have permission to acknowledge incidents (needs Editor)"),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(b.of('acknowledgeIncident')).toEqual([]);
    expect(b.proxied.at(-1)).toMatchObject({ method: 'POST', status: 403 });
  });

  it('shows the 409 when the incident changed meanwhile, and 404 for an unknown one', async () => {
    setRole('Editor');
    b = installFakeBackend({
      getIncident: () => detail({ status: 'open' }),
      acknowledgeIncident: () => {
        throw new HttpFailure(409, { error: 'conflict', message: 'Cannot acknowledge incident 1: it is resolved' });
      },
    });
    const view = renderApp('/incidents/1');
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    expect(await screen.findByText('Not possible right now')).toBeInTheDocument();
    expect(screen.getByText(/it is resolved/)).toBeInTheDocument();
    view.unmount();
    b = installFakeBackend({
      getIncident: () => {
        throw new HttpFailure(404, { error: 'not_found', message: 'Incident 77 does not exist' });
      },
    });
    renderApp('/incidents/77');
    expect(await screen.findByText('Not found')).toBeInTheDocument();
  });
});
