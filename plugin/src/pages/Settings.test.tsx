import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { settings } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';

const preview = {
  days: 30,
  current: { days: 30, perDetector: { personal_spike: 3 }, total: 3 },
  proposed: { days: 30, perDetector: { personal_spike: 9 }, total: 9 },
  opened: [
    {
      scope: 'user' as const,
      subject: 'bob@example.com',
      detector: 'personal_spike',
      firstDay: '2026-11-10',
      lastDay: '2026-11-12',
    },
  ],
  closed: [],
};
const collection = {
  now: '2026-11-20T12:00:00.000Z',
  hasData: true,
  lastRunAt: '2026-11-20T11:00:00.000Z',
  endpoints: [
    {
      endpoint: 'usage_events',
      lastRunAt: '2026-11-20T11:00:00.000Z',
      lastStatus: 'ok' as const,
      lastTrigger: 'schedule',
      lastDurationMs: 5000,
      lastRowsNew: 42,
      lastError: null,
      lastSuccessAt: '2026-11-20T11:00:05.000Z',
      watermark: '2026-11-20T10:40:00.000Z',
      lagSeconds: 4800,
      failuresLast24h: 0,
    },
  ],
};

function backend(over = {}, opts: Parameters<typeof installFakeBackend>[1] = {}) {
  return installFakeBackend(
    {
      getSettings: () => settings,
      listSnoozes: () => ({
        items: [
          {
            id: 4,
            scope: 'user',
            subject: 'bob@example.com',
            until: '2026-11-25T00:00:00.000Z',
            reason: 'offsite',
            createdBy: 'lead.lou',
            createdAt: '2026-11-19T00:00:00.000Z',
          },
        ],
      }),
      collectionStatus: () => collection,
      previewSettings: () => preview,
      updateSettings: () => ({ ...settings, values: { ...settings.values, minImpactDollars: 5 } }),
      testNotification: (r) => {
        const { channel } = r.body as { channel: string };
        if (channel === 'webhook') {
          throw new HttpFailure(502, { error: 'delivery_failed', message: 'webhook: ALERT_WEBHOOK_URL is not set' });
        }
        return { ok: true, channel, message: `A test message was sent to ${channel}` };
      },
      runCollection: () => {
        throw new HttpFailure(409, { error: 'conflict', message: 'A collection is already queued or running' });
      },
      deleteSnooze: () => ({ ok: true }),
      ...over,
    },
    opts
  );
}

describe('Settings page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('groups settings in sections with a purpose, human labels, units and defaults; statistics folded away', async () => {
    setRole('Admin');
    b = backend();
    renderApp('/settings');
    const limits = await screen.findByTestId('section-limits');
    expect(within(limits).getByText('Limits')).toBeInTheDocument();
    expect(within(limits).getByText(/how big a surprise must be/)).toBeInTheDocument();
    const input = within(limits).getByLabelText('Smallest extra spend worth an alert');
    expect(input).toHaveValue('20');
    expect(within(limits).getByText('default $20.00')).toBeInTheDocument();
    expect(within(limits).getByText('$')).toBeInTheDocument(); // the unit before the amount
    expect(within(screen.getByTestId('section-budget')).getByText('default $0.00')).toBeInTheDocument();
    expect(within(screen.getByTestId('section-notifications')).getByText('Slack')).toBeInTheDocument();
    expect(within(screen.getByTestId('section-personal')).getByText('Detectors switched off')).toBeInTheDocument();
    expect(screen.queryByText('minImpactDollars')).not.toBeInTheDocument();
    // The statistics are behind "Advanced" until opened.
    expect(screen.queryByLabelText('Personal baseline window')).not.toBeInTheDocument();
    fireEvent.click(screen.getByText('Advanced'));
    expect(await screen.findByLabelText('Personal baseline window')).toHaveValue('28');
    expect(screen.getByText('default 28 days')).toBeInTheDocument();
    // Audit rows say which setting in words, with units.
    expect(within(screen.getByTestId('audit-table')).getAllByText('$10.00')).toHaveLength(2);
    // A name Grafana did not sign is marked; a verified one is not.
    const rows = within(screen.getByTestId('audit-table')).getAllByRole('row');
    expect(rows.map((r) => r.textContent).filter((t) => t?.includes('admin.ada') || t?.includes('mallory'))).toEqual([
      expect.not.stringContaining('unverified'),
      expect.stringContaining('mallory (unverified)'),
    ]);
  });

  it('shows the changes as a diff and the incidents that would open before saving', async () => {
    setRole('Admin');
    b = backend();
    renderApp('/settings');
    const input = await screen.findByLabelText('Smallest extra spend worth an alert');
    const save = screen.getByRole('button', { name: 'Save settings' });
    const previewButton = screen.getByRole('button', { name: /preview on the last 30 days/i });
    expect(screen.queryByTestId('settings-diff')).not.toBeInTheDocument();

    fireEvent.change(input, { target: { value: '-1' } });
    expect(await screen.findByText('Must be at least 0')).toBeInTheDocument();
    expect(previewButton).toBeDisabled();
    fireEvent.click(screen.getByText('Advanced'));
    fireEvent.change(await screen.findByLabelText('Personal baseline window'), { target: { value: '7.5' } });
    expect(await screen.findByText('Must be a whole number')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Personal baseline window'), { target: { value: '28' } });

    fireEvent.change(input, { target: { value: '5' } });
    const diff = await screen.findByTestId('settings-diff');
    expect(within(diff).getByText('Smallest extra spend worth an alert')).toBeInTheDocument();
    expect(within(diff).getByText('$20.00')).toBeInTheDocument();
    expect(within(diff).getByText('$5.00')).toBeInTheDocument();
    expect(within(diff).getAllByRole('row')).toHaveLength(2); // header + the one real change (28 is unchanged)
    expect(save).toHaveAttribute('aria-disabled', 'true'); // not previewed yet (a button with a tooltip is aria-disabled)
    fireEvent.click(previewButton);
    const table = await screen.findByTestId('preview-table');
    expect(within(table).getByText('9')).toBeInTheDocument();
    expect(screen.getByText(/9 incidents with these values, 3 with the current ones \(\+6\)/)).toBeInTheDocument();
    expect(screen.getByTestId('preview-opened')).toHaveTextContent(
      'bob@example.com — Personal spike, 2026-11-10 – 2026-11-12'
    );
    expect(screen.getByTestId('preview-closed')).toHaveTextContent('Would no longer open (0)');
    expect(b.of('previewSettings')[0].body).toEqual({ minImpactDollars: 5 });
    // The button is re-rendered without its tooltip once previewed: query it again.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save settings' })).not.toHaveAttribute('aria-disabled', 'true')
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(b.of('updateSettings')).toHaveLength(1));
    expect(b.of('updateSettings')[0].body).toEqual({ minImpactDollars: 5 });
  });

  it('an Admin demoted to Editor while the page is open: the save gets Grafana\'s 403, shown as "needs Admin"', async () => {
    setRole('Admin'); // the role the page loaded with
    b = backend();
    renderApp('/settings');
    fireEvent.change(await screen.findByLabelText('Smallest extra spend worth an alert'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: /preview on the last 30 days/i }));
    await screen.findByTestId('preview-table');
    b = backend({}, { proxyRole: 'Editor' }); // Grafana now sees an Editor
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save settings' })).not.toHaveAttribute('aria-disabled', 'true')
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(
      await screen.findByText("You don't have permission to change the detection settings (needs Admin)")
    ).toBeInTheDocument();
    expect(b.of('updateSettings')).toEqual([]);
    expect(b.proxied).toEqual([expect.objectContaining({ method: 'PUT', status: 403 })]);
  });

  it("puts the worker's validation message on the field", async () => {
    setRole('Admin');
    b = backend({
      previewSettings: () => {
        throw new HttpFailure(400, {
          error: 'invalid_request',
          message: 'Invalid settings',
          issues: [{ path: 'minImpactDollars', message: 'must not exceed the monthly budget' }],
        });
      },
    });
    renderApp('/settings');
    fireEvent.change(await screen.findByLabelText('Smallest extra spend worth an alert'), {
      target: { value: '900' },
    });
    fireEvent.click(screen.getByRole('button', { name: /preview/i }));
    expect(await screen.findAllByText('must not exceed the monthly budget')).not.toHaveLength(0);
  });

  it('is read-only for Viewers: no save, no channel tests, no snooze removal, no manual collection', async () => {
    setRole('Viewer');
    b = backend();
    renderApp('/settings');
    expect(await screen.findByText('Read only')).toBeInTheDocument();
    expect(screen.getByTestId('value-minImpactDollars')).toHaveTextContent('$20.00');
    expect(screen.getByTestId('value-teamBudgetDollars')).toHaveTextContent('$5,000');
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /send a test/i })).not.toBeInTheDocument();
    expect(await screen.findByText('offsite')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /end snooze/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /collect and detect now/i })).not.toBeInTheDocument();
  });

  it('lets Editors end snoozes and start a collection (409 explained), but not change settings', async () => {
    setRole('Editor');
    b = backend();
    renderApp('/settings');
    fireEvent.click(await screen.findByRole('button', { name: /end snooze/i }));
    await waitFor(() => expect(b.of('deleteSnooze')[0]?.path).toBe('/api/snoozes/4'));
    fireEvent.click(screen.getByRole('button', { name: /collect and detect now/i }));
    expect(await screen.findByText('A collection is already queued or running.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(screen.getByText('Read only')).toBeInTheDocument();
    expect(screen.getByTestId('value-minImpactDollars')).toHaveTextContent('$20.00');
    expect(screen.getByTestId('collection-table')).toHaveTextContent('1h 20m');
  });

  it('tests notification channels and shows each result', async () => {
    setRole('Admin');
    b = backend();
    renderApp('/settings');
    fireEvent.click(await screen.findByRole('button', { name: 'Send a test to slack' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send a test to webhook' }));
    expect(await screen.findByTestId('channel-result-slack')).toHaveTextContent('A test message was sent to slack');
    expect(await screen.findByTestId('channel-result-webhook')).toHaveTextContent('ALERT_WEBHOOK_URL is not set');
  });

  it('explains a wrong token', async () => {
    setRole('Admin');
    b = backend({
      getSettings: () => {
        throw new HttpFailure(401, { error: 'unauthorized', message: 'The API token is wrong' });
      },
    });
    renderApp('/settings');
    expect(await screen.findByText('The worker refused the API token')).toBeInTheDocument();
  });
});
