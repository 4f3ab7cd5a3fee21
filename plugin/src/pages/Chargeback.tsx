import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import {
  Badge,
  Button,
  EmptyState,
  IconButton,
  LinkButton,
  LoadingPlaceholder,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';
import type { ChargebackGroup, ChargebackModel, ChargebackReport } from '@cursor-cost-watch/contract';
import { asWorkerError, type WorkerApiError } from '../api/errors';
import { useChargeback, useChargebackCsv } from '../api/useChargeback';
import { SimpleTable } from '../components/SimpleTable/SimpleTable';
import { WorkerError } from '../components/WorkerError/WorkerError';
import { DASHBOARDS } from '../constants';
import { dollars } from '../utils/format';

const pct = (p: number) => `${p.toFixed(1)}%`;
const models = (m: ChargebackModel[]) => (m.length ? m.map((x) => `${x.model} ${pct(x.sharePct)}`).join(', ') : '—');

/** Spend per billing group and developer for one billing cycle, with a CSV download for finance. */
export default function Chargeback() {
  const [cycle, setCycle] = useState<string | undefined>(undefined);
  const report = useChargeback(cycle);
  const r = report.value;
  return (
    <PluginPage subTitle="Spend per billing group and developer, per billing cycle: each day counts in the group the developer was in that day">
      {report.error && <WorkerError error={report.error} onRetry={report.reload} />}
      {report.loading && !r && <LoadingPlaceholder text="Loading chargeback…" />}
      {r && <ReportView report={r} onCycle={setCycle} loading={report.loading} />}
    </PluginPage>
  );
}

function ReportView({
  report: r,
  onCycle,
  loading,
}: {
  report: ChargebackReport;
  onCycle: (cycle: string) => void;
  loading: boolean;
}) {
  const s = useStyles2(getStyles);
  return (
    <Stack direction="column" gap={2}>
      <Stack gap={2} alignItems="center" wrap="wrap">
        <label className={s.picker}>
          <span>Billing cycle</span>
          <select
            aria-label="Billing cycle"
            className={s.select}
            value={r.cycle}
            disabled={loading}
            onChange={(e) => onCycle(e.currentTarget.value)}
          >
            {r.cycles.map((c) => (
              <option key={c} value={c}>
                {c === r.cycle ? `${c} to ${r.cycleEnd}` : `cycle from ${c}`}
              </option>
            ))}
          </select>
        </label>
        <Badge
          color={r.closed ? 'green' : 'blue'}
          text={r.closed ? 'Closed: final' : 'In progress'}
          tooltip={r.closed ? 'The cycle is over' : 'The cycle is still running: numbers grow until it ends'}
        />
        <CsvDownload cycle={r.cycle} />
        <LinkButton variant="secondary" icon="apps" href={DASHBOARDS.overview}>
          Overview dashboard
        </LinkButton>
      </Stack>
      <div className={s.cards} data-testid="chargeback-team">
        <Card label="Team spend" value={dollars(r.team.totalCents)} hint={`${r.team.developers} developers`} />
        <Card label="Included" value={dollars(r.team.includedCents)} hint="in the plan" />
        <Card label="Usage-based" value={dollars(r.team.usageBasedCents)} hint="on-demand, billed beyond the plan" />
        <Card label="Requests" value={r.team.requests.toLocaleString('en-US')} hint={models(r.team.topModels)} />
        {r.cursor && (
          <Card
            label="Cursor's /teams/spend"
            value={dollars(r.cursor.overallCents)}
            hint={`as collected ${r.cursor.collectedAt.slice(0, 16).replace('T', ' ')} UTC`}
          />
        )}
      </div>
      {r.groups.length === 0 ? (
        <EmptyState variant="not-found" message="No spend in this cycle">
          No usage has been collected for this billing cycle.
        </EmptyState>
      ) : (
        <SimpleTable
          head={['Group / developer', 'Spend', 'Included', 'Usage-based', 'Requests', 'Share of team', 'Top models']}
          testId="chargeback-table"
        >
          {r.groups.map((g) => (
            <GroupRows key={g.groupId ?? ''} group={g} />
          ))}
        </SimpleTable>
      )}
    </Stack>
  );
}

function GroupRows({ group: g }: { group: ChargebackGroup }) {
  const [open, setOpen] = useState(false);
  const s = useStyles2(getStyles);
  return (
    <>
      <tr data-testid="chargeback-group">
        <td>
          <Stack gap={1} alignItems="center">
            <IconButton
              name={open ? 'angle-down' : 'angle-right'}
              aria-expanded={open}
              aria-label={`${open ? 'Hide' : 'Show'} developers of ${g.name}`}
              onClick={() => setOpen(!open)}
            />
            <Text weight="medium">{g.name}</Text>
            <Text color="secondary" variant="bodySmall">
              {g.developers.length} developer{g.developers.length === 1 ? '' : 's'}
            </Text>
          </Stack>
        </td>
        <td>{dollars(g.totalCents)}</td>
        <td>{dollars(g.includedCents)}</td>
        <td>{dollars(g.usageBasedCents)}</td>
        <td>{g.requests.toLocaleString('en-US')}</td>
        <td>{pct(g.shareOfTeamPct)}</td>
        <td>{models(g.topModels)}</td>
      </tr>
      {open &&
        g.developers.map((d) => (
          <tr key={d.email} data-testid="chargeback-developer" className={s.developer}>
            <td>
              <div>{d.name ?? d.email}</div>
              <Text color="secondary" variant="bodySmall">
                {d.name ? `${d.email} · ` : ''}
                {d.days} day{d.days === 1 ? '' : 's'} in {g.name}
              </Text>
            </td>
            <td>{dollars(d.totalCents)}</td>
            <td>{dollars(d.includedCents)}</td>
            <td>{dollars(d.usageBasedCents)}</td>
            <td>{d.requests.toLocaleString('en-US')}</td>
            <td>
              {pct(d.shareOfTeamPct)}
              <Text color="secondary" variant="bodySmall">
                {' '}
                ({pct(d.shareOfGroupPct)} of group)
              </Text>
            </td>
            <td>{models(d.topModels)}</td>
          </tr>
        ))}
    </>
  );
}

/**
 * Fetches the cycle as CSV through the plugin proxy (the token stays in Grafana) and hands it to the browser as a
 * file; the link stays on the page to save it again.
 */
function CsvDownload({ cycle }: { cycle: string }) {
  const chargebackCsv = useChargebackCsv();
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<{ cycle: string; href: string } | null>(null);
  const [error, setError] = useState<WorkerApiError | null>(null);
  const name = `cursor-chargeback-${cycle}.csv`;
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const text = await chargebackCsv(cycle);
      const href = `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`;
      setFile({ cycle, href });
      if (typeof URL.createObjectURL === 'function') {
        const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
        const a = Object.assign(document.createElement('a'), { href: url, download: name });
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      }
    } catch (e) {
      setError(asWorkerError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={1} alignItems="center">
      <Button icon="download-alt" variant="primary" onClick={download} disabled={busy}>
        {busy ? 'Preparing CSV…' : 'Download CSV'}
      </Button>
      {file?.cycle === cycle && (
        <a href={file.href} download={name} data-testid="csv-link">
          {name}
        </a>
      )}
      {error && <WorkerError error={error} />}
    </Stack>
  );
}

function Card({ label, value, hint }: { label: string; value: string; hint: string }) {
  const s = useStyles2(getStyles);
  return (
    <div className={s.card}>
      <div className={s.label}>{label}</div>
      <div className={s.value}>{value}</div>
      <div className={s.hint}>{hint}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), margin: 0 }),
  select: css({
    background: theme.components.input.background,
    color: theme.components.input.text,
    border: `1px solid ${theme.components.input.borderColor}`,
    borderRadius: theme.shape.radius.default,
    height: theme.spacing(theme.components.height.md),
    padding: theme.spacing(0, 1),
  }),
  cards: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))', gap: theme.spacing(2) }),
  card: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h3.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  developer: css({ td: { paddingLeft: theme.spacing(2) }, 'td:first-child': { paddingLeft: theme.spacing(6) } }),
});
