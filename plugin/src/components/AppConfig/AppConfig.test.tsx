import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { installFakeBackend } from '../../test/fakeBackend';
import AppConfig, { checkWorkerUrl } from './AppConfig';

/**
 * Saving reloads the page (window.location.reload). jsdom 26 (Jest 30) does not let a test replace window.location;
 * its reload() reports "Not implemented: navigation (except hash changes)" to the console instead
 * (jsdom lib/jsdom/living/window/navigation.js navigateFetch), so that report is the reload.
 */
function reloads(consoleError: jest.SpyInstance) {
  return consoleError.mock.calls.filter(([e]) =>
    String((e as Error)?.message ?? e).includes('Not implemented: navigation'),
  ).length;
}

function renderConfig(meta: Partial<AppPluginMeta>) {
  const props = {
    plugin: { meta: { id: 'cursorwatch-cost-app', enabled: false, pinned: false, jsonData: {}, ...meta } },
  } as unknown as PluginConfigPageProps<AppPluginMeta>;
  return render(<AppConfig {...props} />);
}

describe('Configuration page', () => {
  it('saves the worker URL in jsonData and the token only in secureJsonData', async () => {
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
    const b = installFakeBackend({ 'POST /api/plugins/cursorwatch-cost-app/settings': () => ({}) });
    renderConfig({});
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    fireEvent.change(screen.getByLabelText('Worker URL'), { target: { value: 'not a url' } });
    expect(await screen.findByText('Not a URL: use the form http://host:port')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Worker URL'), { target: { value: 'http://worker:8787/' } });
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 'short' } });
    expect(await screen.findByText(/at least 16 characters/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 'a-long-enough-secret-token' } });
    expect(reloads(consoleError)).toBe(0);
    fireEvent.click(save);
    await waitFor(() => expect(reloads(consoleError)).toBe(1));
    consoleError.mockRestore();
    const body = b.requests[0].body as Record<string, unknown>;
    expect(body).toEqual({
      enabled: true,
      pinned: false,
      jsonData: { workerUrl: 'http://worker:8787' },
      secureJsonData: { apiToken: 'a-long-enough-secret-token' },
    });
    expect(JSON.stringify(body.jsonData)).not.toContain('secret');
  });

  it('keeps a saved token when only the URL changes', async () => {
    const b = installFakeBackend({ 'POST /api/plugins/cursorwatch-cost-app/settings': () => ({}) });
    renderConfig({
      jsonData: { workerUrl: 'http://old:8787' },
      secureJsonFields: { apiToken: true },
    } as Partial<AppPluginMeta>);
    fireEvent.change(screen.getByLabelText('Worker URL'), { target: { value: 'http://new:8787' } });
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => {});
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(reloads(consoleError)).toBe(1));
    consoleError.mockRestore();
    expect(b.requests).toHaveLength(1);
    expect(b.requests[0].body).toMatchObject({ jsonData: { workerUrl: 'http://new:8787' }, secureJsonData: undefined });
  });

  it('checks the worker URL', () => {
    expect(checkWorkerUrl('')).toMatch(/Enter/);
    expect(checkWorkerUrl('ftp://x')).toMatch(/http/);
    expect(checkWorkerUrl('http://127.0.0.1:8787')).toBeUndefined();
  });
});
