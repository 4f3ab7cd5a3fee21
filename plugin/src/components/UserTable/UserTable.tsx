import React, { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { Badge, InteractiveTable, Stack, Text, type Column } from '@grafana/ui';
import type { UserList, UserSummary } from '@cursor-cost-watch/contract';
import { SEVERITY_COLOR } from '../Badges/Badges';
import { SpendLimitButton } from '../SpendLimitButton/SpendLimitButton';
import { TrendSparkline } from '../TrendSparkline/TrendSparkline';
import { prefixRoute, ROUTES } from '../../constants';
import { detectorLabel, dollars, percent } from '../../utils/format';

type Row = UserSummary & { last7Cents: number | null };
/** react-table's sort function, as InteractiveTable's column type carries it. */
type SortByFn = Exclude<Column<Row>['sortType'], string | undefined>;

/** Nulls (no rank, no share, an older worker's missing field) sort last whichever the direction. */
const nullsLast =
  (key: 'rank' | 'shareOfTeam' | 'last7Cents'): SortByFn =>
  (a, b, _id, desc) => {
    const x = a.original[key] ?? null;
    const y = b.original[key] ?? null;
    if (x === null || y === null) {
      return x === y ? 0 : (x === null ? 1 : -1) * (desc ? -1 : 1);
    }
    return x - y;
  };

const userLink = (email: string) => prefixRoute(`${ROUTES.Users}/${encodeURIComponent(email)}`);

/** A member's open incidents as badges, each a link to the incident; "+N more" to the member's page. */
export function OpenIncidentBadges({ user }: { user: UserSummary }) {
  const list = user.openIncidentList;
  if (user.openIncidents === 0) {
    return <Text color="secondary">none</Text>;
  }
  if (!list) {
    return <>{user.openIncidents}</>; // a worker from before the list was added
  }
  const more = user.openIncidents - list.length;
  return (
    <Stack gap={0.5} wrap="wrap" alignItems="center">
      {list.map((i) => (
        <Link key={i.id} to={prefixRoute(`${ROUTES.Incidents}/${i.id}`)} aria-label={`Incident ${i.id}`}>
          <Badge
            color={SEVERITY_COLOR[i.severity]}
            text={`${detectorLabel(i.detector)} · ${dollars(i.impactCents)}`}
            tooltip={`${i.severity}: open the incident`}
          />
        </Link>
      ))}
      {more > 0 && <Link to={userLink(user.email)}>+{more} more</Link>}
    </Stack>
  );
}

/**
 * Members at a glance: rank in the team, the 30-day trend (Grafana's Sparkline), cycle spend, share of the team's
 * spend and open incidents; every column but the trend sorts (@grafana/ui InteractiveTable, react-table sorting).
 */
export function UserTable({
  list,
  canAdmin = false,
  onChanged,
}: {
  list: UserList;
  /** Admins get a Spend limit action per member. */
  canAdmin?: boolean;
  onChanged?: () => void;
}) {
  const rows = useMemo<Row[]>(
    () =>
      list.items.map((u) => ({
        ...u,
        last7Cents: u.trend ? u.trend.slice(-7).reduce((s, p) => s + p.chargedCents, 0) : null,
      })),
    [list],
  );
  const columns = useMemo<Array<Column<Row>>>(
    () => [
      { id: 'rank', header: 'Rank', sortType: nullsLast('rank'), cell: ({ row }) => row.original.rank ?? '—' },
      {
        id: 'email',
        header: 'Member',
        sortType: 'alphanumeric',
        cell: ({ row }) => (
          <div>
            <Link to={userLink(row.original.email)}>{row.original.email}</Link>
            {row.original.name && <div style={{ opacity: 0.7, fontSize: 12 }}>{row.original.name}</div>}
          </div>
        ),
      },
      {
        id: 'last7Cents',
        header: 'Last 30 days',
        sortType: nullsLast('last7Cents'),
        sortDescFirst: true,
        cell: ({ row }) =>
          row.original.trend ? (
            <TrendSparkline points={row.original.trend} width={140} height={28} />
          ) : (
            <Text color="secondary">—</Text>
          ),
      },
      {
        id: 'spendCents',
        header: 'Spend this cycle',
        sortType: 'basic',
        sortDescFirst: true,
        cell: ({ row }) => dollars(row.original.spendCents),
      },
      {
        id: 'shareOfTeam',
        header: 'Share of team',
        sortType: nullsLast('shareOfTeam'),
        sortDescFirst: true,
        cell: ({ row }) => percent(row.original.shareOfTeam),
      },
      {
        id: 'openIncidents',
        header: 'Open incidents',
        sortType: 'basic',
        sortDescFirst: true,
        cell: ({ row }) => <OpenIncidentBadges user={row.original} />,
      },
      ...(canAdmin
        ? [
            {
              id: 'action',
              header: 'Action',
              cell: ({ row }: { row: { original: Row } }) => (
                <SpendLimitButton email={row.original.email} size="sm" onChanged={onChanged} />
              ),
            },
          ]
        : []),
    ],
    [canAdmin, onChanged],
  );
  return (
    <div data-testid="user-table">
      <InteractiveTable
        columns={columns}
        data={rows}
        getRowId={(r: Row) => r.email}
        initialSortBy={[{ id: 'rank', desc: false }]}
        headerTooltips={{
          last7Cents: { content: 'Daily spend over the last 30 days; sorts by the last 7 days' },
          shareOfTeam: { content: "This cycle's spend over the whole team's" },
        }}
      />
    </div>
  );
}
