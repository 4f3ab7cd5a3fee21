import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { settings } from '../test/fixtures';
import { HttpFailure, installFakeBackend, setRole } from '../test/fakeBackend';
import { renderApp } from '../test/render';
import { collection, preview, snoozes } from '../test/settingsFixtures';

/** The page puts the sections together; each section's own behaviour is tested beside it in components/Settings. */
function backend(over = {}) {
  return installFakeBackend({
    getSettings: () => settings,
    listSnoozes: () => snoozes,
    collectionStatus: () => collection,
    previewSettings: () => preview,
    updateSettings: () => ({ ...settings, values: { ...settings.values, minImpactDollars: 5 } }),
    ...over,
  });
}

describe('Settings page', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('shows the settings, snoozes, channel tests, collection and recent changes to an Admin', async () => {
    setRole('Admin');
    b = backend();
    renderApp('/settings');
    expect(await screen.findByTestId('section-limits')).toBeInTheDocument();
    expect(await screen.findByTestId('snooze-table')).toHaveTextContent('offsite');
    expect(screen.getByRole('button', { name: 'Send a test to slack' })).toBeInTheDocument();
    expect(await screen.findByTestId('collection-table')).toHaveTextContent('usage_events');
    expect(within(screen.getByTestId('audit-table')).getAllByText('$10.00')).toHaveLength(2);
  });

  it('loads the settings again once saved', async () => {
    setRole('Admin');
    b = backend();
    renderApp('/settings');
    fireEvent.change(await screen.findByLabelText('Smallest extra spend worth an alert'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: /preview on the last 30 days/i }));
    await screen.findByTestId('preview-table');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Save settings' })).not.toHaveAttribute('aria-disabled', 'true'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(b.of('getSettings')).toHaveLength(2));
    expect(b.of('updateSettings')).toHaveLength(1);
  });

  it('is read-only for Viewers across every section', async () => {
    setRole('Viewer');
    b = backend();
    renderApp('/settings');
    expect(await screen.findByText('Read only')).toBeInTheDocument();
    expect(await screen.findByText('offsite')).toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /send a test/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /end snooze/i })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /collect and detect now/i })).not.toBeInTheDocument();
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
