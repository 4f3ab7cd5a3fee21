// The minimal stand-in for Grafana's runtime the app pages need (see docs in ../README or grafana-notes):
// bootData is set inline by the HTML before this bundle runs; here: backend service, theme, global styles, router.
import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Router, Routes } from 'react-router-dom';
import { from } from 'rxjs';
import { ThemeContext, type AppRootProps } from '@grafana/data';
import { config, locationService, setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import App from '../src/components/App/App';

/** getBackendSrv().fetch: real HTTP to the host server, errors thrown in Grafana's shape. */
async function fetchLikeGrafana(options: BackendSrvRequest) {
  const qs = new URLSearchParams(
    Object.entries(options.params ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  ).toString();
  const url = qs ? `${options.url}?${qs}` : options.url;
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.data === undefined ? {} : { 'content-type': 'application/json' },
    body: options.data === undefined ? undefined : JSON.stringify(options.data),
  });
  const text = await res.text();
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // non-JSON bodies stay text, as in Grafana
  }
  const response = {
    data,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    headers: res.headers,
    url,
    config: options,
    redirected: false,
    type: 'basic' as const,
  };
  if (!res.ok) throw response;
  return response;
}
setBackendSrv({ fetch: (o: BackendSrvRequest) => from(fetchLikeGrafana(o)) } as unknown as BackendSrv);

/** react-router v6 fed by Grafana's history (v4 API: listen(location)). */
function HostRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((l: typeof history.location) => setLocation(l)), [history]);
  return (
    <Router location={location} navigator={history as never}>
      {children}
    </Router>
  );
}

const props = {
  meta: { id: 'cursorwatch-cost-app', jsonData: { workerUrl: 'http://worker' }, enabled: true },
} as unknown as AppRootProps;

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={config.theme2}>
    <GlobalStyles />
    <div style={{ padding: 16 }}>
      <HostRouter>
        <Routes>
          <Route path="/a/cursorwatch-cost-app/*" element={<App {...props} />} />
        </Routes>
      </HostRouter>
    </div>
  </ThemeContext.Provider>,
);
