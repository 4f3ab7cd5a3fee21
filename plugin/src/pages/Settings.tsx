import React, { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Checkbox,
  Field,
  Input,
  LoadingPlaceholder,
  RadioButtonGroup,
  Stack,
  Switch,
  Text,
} from '@grafana/ui';
import {
  NOTIFICATION_CHANNELS,
  type SettingField,
  type SettingsPreview,
  type SettingsResponse,
} from '@cursor-cost-watch/contract';
import { workerApi } from '../api/client';
import { asWorkerError, failureText, type WorkerApiError } from '../api/errors';
import { useWorker } from '../api/useWorker';
import { SimpleTable } from '../components/Table';
import { WorkerError } from '../components/WorkerError';
import { currentPermissions } from '../utils/roles';
import { age, detectorLabel, duration } from '../utils/format';

type Draft = Record<string, unknown>;

/** Parses what was typed for a field; returns an error message a person can act on. */
export function checkValue(field: SettingField, raw: unknown): { value?: unknown; error?: string } {
  if (field.type !== 'number' && field.type !== 'integer') {
    return { value: raw };
  }
  const text = String(raw).trim();
  if (text === '') {
    return { error: 'Enter a number' };
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    return { error: 'Must be a number' };
  }
  if (field.type === 'integer' && !Number.isInteger(n)) {
    return { error: 'Must be a whole number' };
  }
  if (field.min !== undefined && n < field.min) {
    return { error: `Must be at least ${field.min}` };
  }
  if (field.max !== undefined && n > field.max) {
    return { error: `Must be at most ${field.max}` };
  }
  return { value: n };
}

const show = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : String(v));

/** Every detection and notification setting, a backtest preview before saving, snoozes, channel tests and collection. */
export default function Settings() {
  const settings = useWorker(() => workerApi.getSettings(), []);
  return (
    <PluginPage subTitle="How the detectors decide, who is told, and what is silenced">
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

function SettingsForm({ data, onSaved }: { data: SettingsResponse; onSaved: () => void }) {
  const { canAdmin } = currentPermissions();
  const [draft, setDraft] = useState<Draft>({});
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ key: string; result: SettingsPreview }>();
  const [error, setError] = useState<WorkerApiError>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const checked = useMemo(() => {
    const patch: Draft = {};
    const errors: Record<string, string> = {};
    for (const f of data.fields) {
      if (!(f.key in draft)) {
        continue;
      }
      const r = checkValue(f, draft[f.key]);
      if (r.error) {
        errors[f.key] = r.error;
      } else if (JSON.stringify(r.value) !== JSON.stringify(data.values[f.key])) {
        patch[f.key] = r.value;
      }
    }
    return { patch, errors };
  }, [draft, data]);
  const patchKey = JSON.stringify(checked.patch);
  const changed = Object.keys(checked.patch).length > 0;
  const valid = Object.keys(checked.errors).length === 0;
  const previewed = preview?.key === patchKey;

  const set = (key: string, value: unknown) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setServerIssues((s) => ({ ...s, [key]: '' }));
    setSaved(false);
  };
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      const err = asWorkerError(e);
      setError(err);
      setServerIssues(Object.fromEntries((err.issues ?? []).map((i) => [i.path.replace(/^body\./, ''), i.message])));
    } finally {
      setBusy(false);
    }
  };
  const runPreview = () =>
    act(async () => setPreview({ key: patchKey, result: await workerApi.previewSettings(checked.patch) }));
  const save = () =>
    act(async () => {
      await workerApi.updateSettings(checked.patch);
      setSaved(true);
      onSaved();
    });

  return (
    <section>
      <Text element="h3">Detection and notifications</Text>
      {!canAdmin && (
        <Alert severity="info" title="Read only">
          Only Grafana Admins can change settings.
        </Alert>
      )}
      {saved && <Alert severity="success" title="Settings saved" />}
      <div data-testid="settings-form">
        {data.fields.map((f) => {
          const value = f.key in draft ? draft[f.key] : data.values[f.key];
          const message = checked.errors[f.key] || serverIssues[f.key];
          return (
            <Field
              key={f.key}
              label={f.key}
              description={`${f.description} (default: ${show(f.default)})`}
              invalid={Boolean(message)}
              error={message}
              disabled={!canAdmin}
            >
              <SettingInput field={f} value={value} onChange={(v) => set(f.key, v)} disabled={!canAdmin} />
            </Field>
          );
        })}
      </div>
      {error && <WorkerError error={error} />}
      {canAdmin && (
        <Stack direction="column" gap={1}>
          {preview && previewed && <PreviewResult preview={preview.result} />}
          <Stack gap={1}>
            <Button variant="secondary" icon="history" disabled={!changed || !valid || busy} onClick={runPreview}>
              Preview on the last 30 days
            </Button>
            <Button
              disabled={!changed || !valid || !previewed || busy}
              onClick={save}
              tooltip={previewed ? undefined : 'Preview the change first'}
            >
              Save settings
            </Button>
          </Stack>
        </Stack>
      )}
    </section>
  );
}

function SettingInput({
  field,
  value,
  onChange,
  disabled,
}: {
  field: SettingField;
  value: unknown;
  onChange: (v: unknown) => void;
  disabled: boolean;
}) {
  const id = `setting-${field.key}`;
  if (field.type === 'boolean') {
    return (
      <Switch id={id} value={Boolean(value)} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} />
    );
  }
  if (field.type === 'enum') {
    return (
      <RadioButtonGroup
        disabled={disabled}
        options={(field.options ?? []).map((o) => ({ label: o, value: o }))}
        value={String(value)}
        onChange={onChange}
      />
    );
  }
  if (field.type === 'list') {
    const selected = Array.isArray(value) ? (value as string[]) : [];
    return (
      <Stack gap={2} wrap="wrap">
        {(field.options ?? []).map((o) => (
          <Checkbox
            key={o}
            label={detectorLabel(o)}
            value={selected.includes(o)}
            disabled={disabled}
            onChange={(e) => onChange(e.currentTarget.checked ? [...selected, o] : selected.filter((x) => x !== o))}
          />
        ))}
      </Stack>
    );
  }
  return (
    <Input
      id={id}
      aria-label={field.key}
      width={20}
      value={String(value ?? '')}
      disabled={disabled}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

function PreviewResult({ preview }: { preview: SettingsPreview }) {
  const detectors = [
    ...new Set([...Object.keys(preview.current.perDetector), ...Object.keys(preview.proposed.perDetector)]),
  ].sort();
  const delta = preview.proposed.total - preview.current.total;
  return (
    <Alert
      severity="info"
      title={`Over the last ${preview.days} days: ${preview.proposed.total} incidents with these values, ${preview.current.total} with the current ones (${delta >= 0 ? '+' : ''}${delta})`}
    >
      <SimpleTable head={['Detector', 'Current', 'Proposed']} testId="preview-table">
        {detectors.map((d) => (
          <tr key={d}>
            <td>{detectorLabel(d)}</td>
            <td>{preview.current.perDetector[d] ?? 0}</td>
            <td>{preview.proposed.perDetector[d] ?? 0}</td>
          </tr>
        ))}
      </SimpleTable>
    </Alert>
  );
}

function Snoozes() {
  const { canEdit } = currentPermissions();
  const snoozes = useWorker(() => workerApi.listSnoozes(), []);
  const [error, setError] = useState<WorkerApiError>();
  const remove = async (id: number) => {
    try {
      await workerApi.deleteSnooze(id);
      snoozes.reload();
    } catch (e) {
      setError(asWorkerError(e));
    }
  };
  return (
    <section>
      <Text element="h3">Snoozes</Text>
      {(snoozes.error || error) && <WorkerError error={(snoozes.error || error)!} onRetry={snoozes.reload} />}
      {snoozes.value && snoozes.value.items.length === 0 && (
        <p>Nothing is snoozed. Snooze a user or the team from an incident.</p>
      )}
      {snoozes.value && snoozes.value.items.length > 0 && (
        <SimpleTable head={['Who', 'Until', 'Reason', 'By', '']} testId="snooze-table">
          {snoozes.value.items.map((s) => (
            <tr key={s.id}>
              <td>{s.scope === 'team' ? 'Team' : s.subject}</td>
              <td>{s.until.slice(0, 16).replace('T', ' ')} UTC</td>
              <td>{s.reason}</td>
              <td>{s.createdBy}</td>
              <td>
                {canEdit && (
                  <Button size="sm" variant="destructive" fill="text" icon="trash-alt" onClick={() => remove(s.id)}>
                    End snooze
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </section>
  );
}

function ChannelTests() {
  const { canAdmin } = currentPermissions();
  const [results, setResults] = useState<Record<string, { ok: boolean; text: string }>>({});
  if (!canAdmin) {
    return null;
  }
  const test = async (channel: (typeof NOTIFICATION_CHANNELS)[number]) => {
    try {
      const r = await workerApi.testNotification(channel);
      setResults((s) => ({ ...s, [channel]: { ok: true, text: r.message } }));
    } catch (e) {
      setResults((s) => ({ ...s, [channel]: { ok: false, text: failureText(asWorkerError(e)) } }));
    }
  };
  return (
    <section>
      <Text element="h3">Notification channels</Text>
      <Stack direction="column" gap={1}>
        {NOTIFICATION_CHANNELS.map((c) => (
          <Stack key={c} gap={2} alignItems="center">
            <Button size="sm" variant="secondary" icon="message" onClick={() => test(c)}>
              Send a test to {c}
            </Button>
            {results[c] && (
              <span
                data-testid={`channel-result-${c}`}
                style={{ color: results[c].ok ? 'inherit' : 'var(--error, #d10e5c)' }}
              >
                {results[c].ok ? '✓' : '✗'} {results[c].text}
              </span>
            )}
          </Stack>
        ))}
      </Stack>
    </section>
  );
}

function Collection() {
  const { canEdit } = currentPermissions();
  const status = useWorker(() => workerApi.collectionStatus(), []);
  const [note, setNote] = useState<{ ok: boolean; text: string }>();
  const run = async () => {
    try {
      await workerApi.runCollection();
      setNote({ ok: true, text: 'Collection queued: data and detection refresh in a few minutes.' });
      status.reload();
    } catch (e) {
      const err = asWorkerError(e);
      setNote({
        ok: false,
        text: err.kind === 'conflict' ? 'A collection is already queued or running.' : failureText(err),
      });
    }
  };
  return (
    <section>
      <Text element="h3">Collection</Text>
      {status.error && <WorkerError error={status.error} onRetry={status.reload} />}
      {status.value && !status.value.hasData && (
        <Alert severity="info" title="No data yet">
          The worker has not collected anything from Cursor yet. The first collection fills the last 30 days; it runs
          every hour.
        </Alert>
      )}
      {status.value && status.value.endpoints.length > 0 && (
        <SimpleTable
          head={['Endpoint', 'Last run', 'Status', 'Lag', 'Failures (24h)', 'Last error']}
          testId="collection-table"
        >
          {status.value.endpoints.map((e) => (
            <tr key={e.endpoint}>
              <td>{e.endpoint}</td>
              <td>{e.lastRunAt ? `${age(e.lastRunAt, Date.parse(status.value!.now))} ago` : 'never'}</td>
              <td>{e.lastStatus ?? '—'}</td>
              <td>{duration(e.lagSeconds)}</td>
              <td>{e.failuresLast24h}</td>
              <td>{e.lastError ?? ''}</td>
            </tr>
          ))}
        </SimpleTable>
      )}
      {canEdit && (
        <Button variant="secondary" icon="sync" onClick={run}>
          Collect and detect now
        </Button>
      )}
      {note && <Alert severity={note.ok ? 'success' : 'warning'} title={note.text} />}
    </section>
  );
}

function Audit({ data }: { data: SettingsResponse }) {
  if (data.audit.length === 0) {
    return null;
  }
  return (
    <section>
      <Text element="h3">Recent changes</Text>
      <SimpleTable head={['When', 'Who', 'Setting', 'From', 'To']} testId="audit-table">
        {data.audit.slice(0, 20).map((a) => (
          <tr key={a.id}>
            <td>{a.changedAt.slice(0, 16).replace('T', ' ')} UTC</td>
            <td>{a.changedBy}</td>
            <td>{a.key}</td>
            <td>{show(a.oldValue)}</td>
            <td>{show(a.newValue)}</td>
          </tr>
        ))}
      </SimpleTable>
    </section>
  );
}
