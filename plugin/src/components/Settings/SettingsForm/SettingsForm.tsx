import React, { useMemo, useState } from 'react';
import { Alert, Button, Collapse, FieldSet, Stack, Text } from '@grafana/ui';
import {
  SETTING_PRESENTATION,
  SETTING_SECTIONS,
  settingPresentation,
  type SettingField,
  type SettingSection,
  type SettingsPreview,
  type SettingsResponse,
} from '@cursor-cost-watch/contract';
import { useSettingsActions } from '../../../api/useSettings';
import { asWorkerError, type WorkerApiError } from '../../../api/errors';
import { currentPermissions } from '../../../utils/roles';
import { WorkerError } from '../../WorkerError/WorkerError';
import { checkValue } from './checkValue';
import { PreviewResult } from './PreviewResult';
import { SettingRow } from './SettingRow';
import { SettingsChanges } from './SettingsChanges';

type Draft = Record<string, unknown>;
const ORDER = Object.keys(SETTING_PRESENTATION);
const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

/** The settings by section (contract/src/settings-layout.ts), statistics folded away; Admins preview, then save. */
export function SettingsForm({ data, onSaved }: { data: SettingsResponse; onSaved: () => void }) {
  const { canAdmin } = currentPermissions();
  const settings = useSettingsActions();
  const [draft, setDraft] = useState<Draft>({});
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ key: string; result: SettingsPreview }>();
  const [error, setError] = useState<WorkerApiError>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);

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
    act(async () => setPreview({ key: patchKey, result: await settings.preview(checked.patch) }));
  const save = () =>
    act(async () => {
      await settings.save(checked.patch);
      setSaved(true);
      onSaved();
    });

  const rows = (fields: SettingField[]) =>
    fields.map((f) => (
      <SettingRow
        key={f.key}
        field={f}
        value={f.key in draft ? draft[f.key] : data.values[f.key]}
        error={checked.errors[f.key] || serverIssues[f.key]}
        readOnly={!canAdmin}
        onChange={(v) => set(f.key, v)}
      />
    ));
  const fieldsOf = (section: SettingSection) =>
    data.fields
      .filter((f) => settingPresentation(f.key).section === section.id)
      .sort((a, b) => rank(a.key) - rank(b.key));

  return (
    <section data-testid="settings-form">
      {!canAdmin && (
        <Alert severity="info" title="Read only">
          Only Grafana Admins can change settings.
        </Alert>
      )}
      {saved && <Alert severity="success" title="Settings saved" />}
      {SETTING_SECTIONS.map((section) => {
        const fields = fieldsOf(section);
        if (fields.length === 0) {
          return null;
        }
        const purpose = (
          <Text element="p" color="secondary">
            {section.purpose}
          </Text>
        );
        if (section.id === 'advanced') {
          // Opens by itself when one of its values is wrong, so the message is never hidden.
          const hasError = fields.some((f) => checked.errors[f.key] || serverIssues[f.key]);
          return (
            <Collapse
              key={section.id}
              label={section.title}
              isOpen={advancedOpen || hasError}
              onToggle={setAdvancedOpen}
            >
              {purpose}
              {rows(fields)}
            </Collapse>
          );
        }
        return (
          <FieldSet key={section.id} label={section.title} data-testid={`section-${section.id}`}>
            {purpose}
            {rows(fields)}
          </FieldSet>
        );
      })}
      {error && <WorkerError error={error} />}
      {canAdmin && (
        <Stack direction="column" gap={1}>
          {changed && (
            <>
              <Text element="h4">Changes</Text>
              <SettingsChanges patch={checked.patch} current={data.values} />
            </>
          )}
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
