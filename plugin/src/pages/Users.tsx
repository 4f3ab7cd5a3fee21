import React, { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { EmptyState, Field, Input, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { useUser, useUsers } from '../api/useUsers';
import { SeverityBadge, StatusBadge } from '../components/Badges/Badges';
import { TrendSparkline } from '../components/TrendSparkline/TrendSparkline';
import { SpendLimitButton } from '../components/SpendLimitButton/SpendLimitButton';
import { SimpleTable } from '../components/SimpleTable/SimpleTable';
import { UserTable } from '../components/UserTable/UserTable';
import { currentPermissions } from '../utils/roles';
import { WorkerError } from '../components/WorkerError/WorkerError';
import { NudgeOptOut } from '../components/NudgeOptOut/NudgeOptOut';
import { DASHBOARDS, prefixRoute, ROUTES } from '../constants';
import { detectorLabel, dollars } from '../utils/format';

/** Members ranked by this cycle's spend, searchable; a member's page shows spend, rank, trend and incidents. */
export default function Users() {
  const { email } = useParams();
  return email ? <UserDetail email={email} /> : <UserSearch />;
}

function UserSearch() {
  const [search, setSearch] = useState('');
  const users = useUsers(search);
  const { canAdmin } = currentPermissions();
  return (
    <PluginPage subTitle="Who spends what this billing cycle">
      <Field label="Search" description="Part of an email or a name">
        <Input
          aria-label="Search users"
          width={40}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          placeholder="alice@…"
        />
      </Field>
      {users.error && <WorkerError error={users.error} onRetry={users.reload} />}
      {users.loading && !users.value && <LoadingPlaceholder text="Loading members…" />}
      {users.value && users.value.items.length === 0 && (
        <EmptyState variant="not-found" message={search ? 'No member matches' : 'No members collected yet'}>
          {search
            ? 'Try part of the email or name.'
            : 'The worker has not collected the team from Cursor yet; see Settings → Collection.'}
        </EmptyState>
      )}
      {users.value && users.value.items.length > 0 && (
        <UserTable list={users.value} canAdmin={canAdmin} onChanged={users.reload} />
      )}
    </PluginPage>
  );
}

function UserDetail({ email }: { email: string }) {
  const user = useUser(email);
  const u = user.value;
  return (
    <PluginPage pageNav={{ text: email, parentItem: { text: 'Users', url: prefixRoute(ROUTES.Users) } }}>
      {user.error && <WorkerError error={user.error} onRetry={user.reload} />}
      {user.loading && !u && <LoadingPlaceholder text="Loading member…" />}
      {u && (
        <Stack direction="column" gap={3}>
          <Stack gap={2} alignItems="center">
            <Text element="h2">{u.name ?? u.email}</Text>
            <Text color="secondary">{u.email}</Text>
          </Stack>
          <Stack gap={4} wrap="wrap">
            <div>
              <Text color="secondary">Spend this cycle</Text>
              <div data-testid="cycle-spend">
                <Text element="h3">{dollars(u.spendCents)}</Text>
              </div>
              <Text color="secondary" variant="bodySmall">
                {dollars(u.overallSpendCents)} including included usage
              </Text>
            </div>
            <div>
              <Text color="secondary">Rank</Text>
              <div data-testid="rank">
                <Text element="h3">{u.rank === null ? '—' : `#${u.rank} of ${u.members}`}</Text>
              </div>
            </div>
            <div>
              <Text color="secondary">Last 30 days</Text>
              <div>
                <TrendSparkline points={u.trend} />
              </div>
            </div>
          </Stack>
          <Stack gap={1}>
            <LinkButton icon="apps" variant="secondary" href={DASHBOARDS.user(u.email)}>
              Open the user dashboard
            </LinkButton>
            <SpendLimitButton email={u.email} onChanged={user.reload} />
          </Stack>
          <NudgeOptOut email={u.email} />
          <section>
            <Text element="h3">Incidents ({u.openIncidents} open)</Text>
            {u.incidents.length === 0 ? (
              <p>No incidents for this member.</p>
            ) : (
              <SimpleTable head={['Severity', 'Detector', 'Impact', 'Status', 'Onset']}>
                {u.incidents.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <SeverityBadge severity={i.severity} />
                    </td>
                    <td>
                      <Link to={prefixRoute(`${ROUTES.Incidents}/${i.id}`)}>{detectorLabel(i.detector)}</Link>
                    </td>
                    <td>{dollars(i.impactCents)}</td>
                    <td>
                      <StatusBadge status={i.status} />
                    </td>
                    <td>{i.onsetAt.slice(0, 10)}</td>
                  </tr>
                ))}
              </SimpleTable>
            )}
          </section>
        </Stack>
      )}
    </PluginPage>
  );
}
