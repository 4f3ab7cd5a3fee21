import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { LoadingPlaceholder } from '@grafana/ui';
import { useSettings } from '../api/useSettings';
import { Audit } from '../components/Settings/Audit/Audit';
import { ChannelTests } from '../components/Settings/ChannelTests/ChannelTests';
import { Collection } from '../components/Settings/Collection/Collection';
import { SettingsForm } from '../components/Settings/SettingsForm/SettingsForm';
import { Snoozes } from '../components/Settings/Snoozes/Snoozes';
import { WorkerError } from '../components/WorkerError/WorkerError';

/** The settings by section with a backtest preview before saving, then snoozes, channel tests and collection. */
export default function Settings() {
  const settings = useSettings();
  return (
    <PluginPage subTitle="When developers are flagged, who is told, and what is silenced">
      {settings.error && <WorkerError error={settings.error} onRetry={settings.reload} />}
      {settings.loading && !settings.value && <LoadingPlaceholder text="Loading settings…" />}
      {settings.value && (
        <SettingsForm key={JSON.stringify(settings.value.values)} data={settings.value} onSaved={settings.reload} />
      )}
      <Snoozes />
      <ChannelTests />
      <Collection />
      {settings.value && <Audit data={settings.value} />}
    </PluginPage>
  );
}
