import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import type { AppSettings } from '../../constants';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

export function checkWorkerUrl(url: string): string | undefined {
  if (url.trim() === '') {
    return 'Enter the worker address, e.g. http://worker:8787';
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return 'Must start with http:// or https://';
    }
  } catch {
    return 'Not a URL: use the form http://host:port';
  }
  return undefined;
}

/**
 * Admins set where the worker listens and its API token. The token goes to secureJsonData: Grafana encrypts it and
 * only its data proxy reads it back, so no browser ever sees it.
 */
export default function AppConfig({ plugin }: AppConfigProps) {
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [workerUrl, setWorkerUrl] = useState(jsonData?.workerUrl ?? '');
  const [token, setToken] = useState('');
  const [tokenSet, setTokenSet] = useState(Boolean(secureJsonFields?.apiToken));
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const urlError = checkWorkerUrl(workerUrl);
  const tokenError =
    !tokenSet && token.trim().length < 16 ? 'The worker requires WORKER_API_TOKEN (at least 16 characters)' : undefined;

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: `/api/plugins/${plugin.meta.id}/settings`,
          method: 'POST',
          data: {
            enabled: true,
            pinned: pinned ?? true,
            jsonData: { workerUrl: workerUrl.trim().replace(/\/+$/, '') },
            // Left out when unchanged, so a saved token is kept.
            secureJsonData: tokenSet ? undefined : { apiToken: token.trim() },
          },
        }),
      );
      window.location.reload();
    } catch (e) {
      setError((e as { data?: { message?: string } })?.data?.message ?? 'Saving failed');
      setSaving(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <FieldSet label="Worker">
        {!enabled && <Alert severity="info" title="Saving also enables the app" />}
        <Field
          label="Worker URL"
          description="Where Grafana's server reaches the worker API (WORKER_API_HOST:WORKER_API_PORT)"
          invalid={Boolean(workerUrl) && Boolean(urlError)}
          error={urlError}
        >
          <Input
            id="worker-url"
            aria-label="Worker URL"
            width={60}
            value={workerUrl}
            onChange={(e) => setWorkerUrl(e.currentTarget.value)}
            placeholder="http://worker:8787"
          />
        </Field>
        <Field
          label="API token"
          description="The worker's WORKER_API_TOKEN; stored encrypted and never sent to browsers"
          invalid={Boolean(token) && Boolean(tokenError)}
          error={tokenError}
        >
          <SecretInput
            id="api-token"
            aria-label="API token"
            width={60}
            value={token}
            isConfigured={tokenSet}
            onChange={(e) => setToken(e.currentTarget.value)}
            onReset={() => {
              setToken('');
              setTokenSet(false);
            }}
          />
        </Field>
        {error && <Alert severity="error" title={error} />}
        <Button type="submit" disabled={saving || Boolean(urlError) || Boolean(tokenError)}>
          Save
        </Button>
      </FieldSet>
    </form>
  );
}
