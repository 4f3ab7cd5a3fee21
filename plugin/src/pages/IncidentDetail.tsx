import React from 'react';
import { useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { formatFactor, isNoBaseline, NO_HISTORY_TEXT } from '@cursor-cost-watch/contract';
import { useIncident } from '../api/useIncidents';
import { SeverityBadge, StatusBadge } from '../components/Badges/Badges';
import { EvidenceChart } from '../components/EvidenceChart/EvidenceChart';
import { Fact } from '../components/Fact/Fact';
import { IncidentActions } from '../components/IncidentActions/IncidentActions';
import { SpendLimitButton } from '../components/SpendLimitButton/SpendLimitButton';
import { SpendLimitUndo } from '../components/SpendLimitUndo/SpendLimitUndo';
import { SimpleTable } from '../components/SimpleTable/SimpleTable';
import { WorkerError } from '../components/WorkerError/WorkerError';
import { DASHBOARDS, prefixRoute, ROUTES } from '../constants';
import { age, detectorLabel, dollars, measure, percent } from '../utils/format';
import { actionDetail, actionLabel, resolutionLabel } from '../utils/timeline';

const DRIVER_TEXT: Record<string, string> = {
  volume: 'More requests than usual (volume)',
  cost_per_request: 'Each request costs more (cost per request)',
  model_mix: 'A shift to more expensive models (model mix)',
  mixed: 'Both volume and cost per request rose',
};

const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** One incident's evidence: the chart, why it happened, model mix, the timeline, and what can be done about it. */
export default function IncidentDetail() {
  const { id } = useParams();
  const detail = useIncident(Number(id));
  const d = detail.value;
  const inc = d?.incident;
  const title = inc
    ? `${detectorLabel(inc.detector)}: ${inc.scope === 'user' ? inc.subject : 'team'}`
    : `Incident ${id}`;
  return (
    <PluginPage pageNav={{ text: title, parentItem: { text: 'Incidents', url: prefixRoute(ROUTES.Incidents) } }}>
      {detail.error && <WorkerError error={detail.error} onRetry={detail.reload} />}
      {detail.loading && !d && <LoadingPlaceholder text="Loading the evidence…" />}
      {d && inc && (
        <Stack direction="column" gap={3}>
          <Stack gap={2} alignItems="center" wrap="wrap">
            <SeverityBadge severity={inc.severity} />
            <StatusBadge status={inc.status} />
            <Text element="h2">{title}</Text>
          </Stack>
          <Text color="secondary">{inc.summary}</Text>
          <Stack gap={4} wrap="wrap">
            <Fact label="Impact since onset" value={dollars(inc.impactCents)} />
            <Fact label="Observed" value={measure(inc.observed, inc.unit)} />
            <Fact label="Expected" value={measure(inc.expected, inc.unit)} />
            <Fact label="Onset" value={`${inc.onsetAt.slice(0, 10)} (${age(inc.onsetAt)} ago)`} />
            <Fact label="Owner" value={inc.acknowledgedBy ?? '—'} />
            {inc.resolutionReason && <Fact label="Resolution" value={resolutionLabel(inc.resolutionReason)} />}
          </Stack>
          <Stack gap={1} wrap="wrap">
            <IncidentActions incident={inc} onChanged={detail.reload} />
            {inc.scope === 'user' && (
              <SpendLimitButton email={inc.subject} incidentId={inc.id} onChanged={detail.reload} />
            )}
            {inc.scope === 'user' && (
              <LinkButton variant="secondary" icon="apps" href={DASHBOARDS.user(inc.subject)}>
                User dashboard
              </LinkButton>
            )}
            <LinkButton variant="secondary" icon="apps" href={DASHBOARDS.models}>
              Models dashboard
            </LinkButton>
          </Stack>
          <section>
            <Text element="h3">Evidence</Text>
            <EvidenceChart series={d.series} unit={d.seriesUnit} onsetDay={inc.onsetAt.slice(0, 10)} />
          </section>
          <section data-testid="why">
            <Text element="h3">Why</Text>
            <ul>
              <li>{DRIVER_TEXT[String(d.why.driver)] ?? 'Cause not broken down'}</li>
              {isNoBaseline(num(d.why.volumeFactor)) || isNoBaseline(num(d.why.costPerRequestFactor)) ? (
                <li>{NO_HISTORY_TEXT}</li>
              ) : (
                <>
                  {num(d.why.volumeFactor) !== null && (
                    <li>Requests: {formatFactor(num(d.why.volumeFactor)!, 'expected')}</li>
                  )}
                  {num(d.why.costPerRequestFactor) !== null && (
                    <li>Cost per request: {formatFactor(num(d.why.costPerRequestFactor)!, 'expected')}</li>
                  )}
                </>
              )}
              {typeof d.why.topModel === 'string' && (
                <li>
                  Top model: {d.why.topModel} ({percent(num(d.why.topModelShare))} of spend)
                </li>
              )}
              {num(d.why.maxModeShare) !== null && <li>Max mode: {percent(num(d.why.maxModeShare))} of spend</li>}
              {num(d.why.headlessShare) !== null && (
                <li>Headless / background agents: {percent(num(d.why.headlessShare))} of spend</li>
              )}
            </ul>
          </section>
          <section>
            <Text element="h3">Model mix before and after the onset</Text>
            <SimpleTable head={['Model', 'Before', 'After']} testId="model-mix">
              {[...new Set([...d.modelMix.before, ...d.modelMix.after].map((m) => m.model))].map((model) => {
                const b = d.modelMix.before.find((m) => m.model === model);
                const a = d.modelMix.after.find((m) => m.model === model);
                return (
                  <tr key={model}>
                    <td>{model}</td>
                    <td>{b ? `${percent(b.share)} (${dollars(b.cents)})` : '—'}</td>
                    <td>{a ? `${percent(a.share)} (${dollars(a.cents)})` : '—'}</td>
                  </tr>
                );
              })}
            </SimpleTable>
          </section>
          <section>
            <Text element="h3">Timeline</Text>
            <ol data-testid="timeline" style={{ paddingLeft: 32 }}>
              {d.timeline.map((e) => (
                <li key={e.id}>
                  {new Date(e.at).toISOString().replace('T', ' ').slice(0, 16)} UTC — <b>{actionLabel(e.action)}</b> by{' '}
                  {e.actor}
                  {actionDetail(e) && ` (${actionDetail(e)})`}
                  {typeof e.details.note === 'string' && `: “${e.details.note}”`}
                  <SpendLimitUndo entry={e} timeline={d.timeline} onUndone={detail.reload} />
                </li>
              ))}
            </ol>
          </section>
        </Stack>
      )}
    </PluginPage>
  );
}
