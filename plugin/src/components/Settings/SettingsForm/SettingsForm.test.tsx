import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { settings } from '../../../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../../../test/fakeBackend';
import { preview } from '../../../test/settingsFixtures';
import { SettingsForm } from './SettingsForm';

function backend(over = {}, opts: Parameters<typeof installFakeBackend>[1] = {}) {
  return installFakeBackend(
    {
      previewSettings: () => preview,
      updateSettings: () => ({ ...settings, values: { ...settings.values, minImpactDollars: 5 } }),
      ...over,
    },
    opts,
  );
}

describe('SettingsForm', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('groups settings in sections with a purpose, human labels, units and defaults; statistics folded away', async () => {
    setRole('Admin');
    b = backend();
    render(<SettingsForm data={settings} onSaved={() => {}} />);
    const limits = screen.getByTestId('section-limits');
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
  });

  it('shows the changes as a diff and the incidents that would open before saving', async () => {
    setRole('Admin');
    b = backend();
    const onSaved = jest.fn();
    render(<SettingsForm data={settings} onSaved={onSaved} />);
    const input = screen.getByLabelText('Smallest extra spend worth an alert');
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
      'bob@example.com — Personal spike, 2026-11-10 – 2026-11-12',
    );
    expect(screen.getByTestId('preview-closed')).toHaveTextContent('Would no longer open (0)');
    expect(b.of('previewSettings')[0].body).toEqual({ minImpactDollars: 5 });
    // The button is re-rendered without its tooltip once previewed: query it again.
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save settings' })).not.toHaveAttribute('aria-disabled', 'true'),
    );
    expect(onSaved).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(b.of('updateSettings')).toHaveLength(1));
    expect(b.of('updateSettings')[0].body).toEqual({ minImpactDollars: 5 });
    expect(await screen.findByText('Settings saved')).toBeInTheDocument();
    expect(onSaved).toHaveBeenCalledTimes(1);
  });

  it('an Admin demoted to Editor while the page is open: the save gets Grafana\'s 403, shown as "needs Admin"', async () => {
    setRole('Admin'); // the role the page loaded with
    b = backend();
    render(<SettingsForm data={settings} onSaved={() => {}} />);
    fireEvent.change(screen.getByLabelText('Smallest extra spend worth an alert'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: /preview on the last 30 days/i }));
    await screen.findByTestId('preview-table');
    b = backend({}, { proxyRole: 'Editor' }); // Grafana now sees an Editor
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save settings' })).not.toHaveAttribute('aria-disabled', 'true'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(
      await screen.findByText("You don't have permission to change the detection settings (needs Admin)"),
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
    render(<SettingsForm data={settings} onSaved={() => {}} />);
    fireEvent.change(screen.getByLabelText('Smallest extra spend worth an alert'), { target: { value: '900' } });
    fireEvent.click(screen.getByRole('button', { name: /preview/i }));
    expect(await screen.findAllByText('must not exceed the monthly budget')).not.toHaveLength(0);
  });

  it.each(['Viewer', 'Editor'] as const)('is read-only for a %s: values with units, no inputs, no save', (role) => {
    setRole(role);
    b = backend();
    render(<SettingsForm data={settings} onSaved={() => {}} />);
    expect(screen.getByText('Read only')).toBeInTheDocument();
    expect(screen.getByTestId('value-minImpactDollars')).toHaveTextContent('$20.00');
    expect(screen.getByTestId('value-teamBudgetDollars')).toHaveTextContent('$5,000');
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(b.requests).toEqual([]);
  });
});
