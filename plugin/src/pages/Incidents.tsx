import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import {
  EmptyState,
  Field,
  Input,
  LinkButton,
  LoadingPlaceholder,
  MultiCombobox,
  Pagination,
  RadioButtonGroup,
  Stack,
  TextLink,
} from '@grafana/ui';
import { DETECTORS, SEVERITIES, type IncidentStatus, type Severity } from '@cursor-cost-watch/contract';
import { useIncidentMetrics, useIncidents, type IncidentFilters } from '../api/useIncidents';
import { SeverityBadge, StatusBadge } from '../components/Badges/Badges';
import { IncidentActions } from '../components/IncidentActions/IncidentActions';
import { StatCards } from '../components/StatCards/StatCards';
import { SimpleTable } from '../components/SimpleTable/SimpleTable';
import { WorkerError } from '../components/WorkerError/WorkerError';
import { DASHBOARDS, prefixRoute, ROUTES } from '../constants';
import { age, dollars, detectorLabel } from '../utils/format';

const PAGE_SIZE = 25;
const STATUS_VIEWS: Record<string, IncidentStatus[] | undefined> = {
  active: ['open', 'alerted', 'acknowledged'],
  resolved: ['resolved'],
  all: undefined,
};

/** Open and recent incidents with filters, dollar impact, age, owner and quick actions, under the response-time cards. */
export default function Incidents() {
  const [view, setView] = useState<keyof typeof STATUS_VIEWS>('active');
  const [severity, setSeverity] = useState<Severity[]>([]);
  const [detector, setDetector] = useState<string[]>([]);
  const [user, setUser] = useState('');
  const [team, setTeam] = useState('');
  const [page, setPage] = useState(1);
  const filters: IncidentFilters = {
    status: STATUS_VIEWS[view],
    severity,
    detector,
    user: user.trim() || undefined,
    team: team.trim() || undefined,
    sort: view === 'resolved' ? 'last_detected_at' : 'impact_cents',
    order: 'desc',
    page,
    pageSize: PAGE_SIZE,
  };
  const list = useIncidents(filters);
  const metrics = useIncidentMetrics();
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };

  return (
    <PluginPage subTitle="Cost anomalies the detectors found, largest dollar impact first">
      {metrics.value && <StatCards metrics={metrics.value} />}
      <Stack gap={2} wrap="wrap" alignItems="flex-end">
        <Field label="Status">
          <RadioButtonGroup
            options={[
              { label: 'Active', value: 'active' },
              { label: 'Resolved', value: 'resolved' },
              { label: 'All', value: 'all' },
            ]}
            value={view}
            onChange={reset(setView)}
          />
        </Field>
        <Field label="Severity">
          <MultiCombobox<string>
            aria-label="Severity"
            width={28}
            options={SEVERITIES.map((s) => ({ label: s, value: s }))}
            value={severity}
            onChange={(opts) => reset(setSeverity)(opts.map((o) => o.value as Severity))}
            placeholder="Any"
          />
        </Field>
        <Field label="Detector">
          <MultiCombobox<string>
            aria-label="Detector"
            width={32}
            options={DETECTORS.map((d) => ({ label: detectorLabel(d), value: d }))}
            value={detector}
            onChange={(opts) => reset(setDetector)(opts.map((o) => o.value))}
            placeholder="Any"
          />
        </Field>
        <Field label="User">
          <Input
            aria-label="User"
            width={28}
            placeholder="email contains…"
            value={user}
            onChange={(e) => reset(setUser)(e.currentTarget.value)}
          />
        </Field>
        <Field label="Team">
          <Input
            aria-label="Team"
            width={20}
            placeholder="billing group id"
            value={team}
            onChange={(e) => reset(setTeam)(e.currentTarget.value)}
          />
        </Field>
        <Field label=" ">
          <LinkButton variant="secondary" icon="apps" href={DASHBOARDS.incidents}>
            Incidents dashboard
          </LinkButton>
        </Field>
      </Stack>
      {list.error && <WorkerError error={list.error} onRetry={list.reload} />}
      {list.loading && !list.value && <LoadingPlaceholder text="Loading incidents…" />}
      {list.value && list.value.total === 0 && !list.error && (
        <EmptyState
          variant={view === 'active' && !user && !team && severity.length === 0 ? 'completed' : 'not-found'}
          message={view === 'active' ? 'No active incidents' : 'No incidents match'}
        >
          {view === 'active' ? 'Nothing unusual in what your team spends on Cursor right now.' : 'Try other filters.'}
        </EmptyState>
      )}
      {list.value && list.value.total > 0 && (
        <>
          <SimpleTable
            head={['Severity', 'Who', 'Detector', 'Impact', 'Age', 'Status', 'Owner', '']}
            testId="incident-table"
          >
            {list.value.items.map((i) => (
              <tr key={i.id} data-testid={`incident-row-${i.id}`}>
                <td>
                  <SeverityBadge severity={i.severity} />
                </td>
                <td>
                  <Link to={prefixRoute(`${ROUTES.Incidents}/${i.id}`)}>
                    {i.scope === 'team' ? `Team ${i.subject === 'team' ? '' : i.subject}`.trim() : i.subject}
                  </Link>
                  <div style={{ opacity: 0.7, fontSize: 12 }}>{i.summary}</div>
                </td>
                <td>{detectorLabel(i.detector)}</td>
                <td>{dollars(i.impactCents)}</td>
                <td title={i.onsetAt}>{age(i.onsetAt)}</td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
                <td>{i.acknowledgedBy ?? '—'}</td>
                <td>
                  <IncidentActions
                    incident={i}
                    compact
                    onChanged={() => {
                      list.reload();
                      metrics.reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </SimpleTable>
          <Stack justifyContent="space-between" alignItems="center">
            <span>
              {list.value.total} incident{list.value.total === 1 ? '' : 's'}
            </span>
            <Pagination
              currentPage={page}
              numberOfPages={Math.max(1, Math.ceil(list.value.total / PAGE_SIZE))}
              onNavigate={setPage}
              hideWhenSinglePage
            />
          </Stack>
        </>
      )}
      {list.value && <TextLink href={DASHBOARDS.overview}>Spend overview dashboard</TextLink>}
    </PluginPage>
  );
}
