import React from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import App from '../components/App/App';

/** Renders the app at `path` as Grafana would mount it (a configured worker URL unless told otherwise). */
export function renderApp(path: string, jsonData: Record<string, unknown> = { workerUrl: 'http://worker:8787' }) {
  const props = { meta: { id: 'cursorwatch-cost-app', jsonData } } as unknown as AppRootProps;
  return render(
    <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <App {...props} />
    </MemoryRouter>,
  );
}
