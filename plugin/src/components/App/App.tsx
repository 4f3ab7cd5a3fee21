import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { EmptyState, LinkButton } from '@grafana/ui';
import { PLUGIN_ID, ROUTES, type AppSettings } from '../../constants';
import Chargeback from '../../pages/Chargeback';
import IncidentDetail from '../../pages/IncidentDetail';
import Incidents from '../../pages/Incidents';
import Settings from '../../pages/Settings';
import Users from '../../pages/Users';

/** The app's pages; until an admin sets the worker URL, every page explains that first. */
export default function App({ meta }: AppRootProps<AppSettings>) {
  if (!meta.jsonData?.workerUrl) {
    return (
      <PluginPage>
        <EmptyState variant="call-to-action" message="Cursor Cost Watch is not configured yet">
          <p>An admin needs to set the worker URL and its API token before incidents can be shown.</p>
          <LinkButton href={`/plugins/${PLUGIN_ID}`} icon="cog">
            Open configuration
          </LinkButton>
        </EmptyState>
      </PluginPage>
    );
  }
  return (
    <Routes>
      <Route path={`${ROUTES.Incidents}/:id`} element={<IncidentDetail />} />
      <Route path={ROUTES.Incidents} element={<Incidents />} />
      <Route path={`${ROUTES.Users}/:email`} element={<Users />} />
      <Route path={ROUTES.Users} element={<Users />} />
      <Route path={ROUTES.Settings} element={<Settings />} />
      <Route path={ROUTES.Chargeback} element={<Chargeback />} />
      <Route path="*" element={<Navigate to={ROUTES.Incidents} replace />} />
    </Routes>
  );
}
