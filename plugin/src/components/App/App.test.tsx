import { screen } from '@testing-library/react';
import { installFakeBackend, setRole } from '../../test/fakeBackend';
import { renderApp } from '../../test/render';

describe('App', () => {
  it('asks for configuration before anything else, and calls nothing', async () => {
    setRole('Admin');
    const b = installFakeBackend({});
    renderApp('/incidents', {});
    expect(await screen.findByText('Cursor Cost Watch is not configured yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Open configuration/ })).toHaveAttribute(
      'href',
      '/plugins/cursorwatch-cost-app',
    );
    expect(b.requests).toEqual([]);
  });
});
