import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import type { BillingGroup, DailyUsageRow, Member, SpendRow } from '../cursor/schemas';

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** `xmax = 0` is true for a row this statement inserted, false for one it updated. */
function countUpserts(rows: { inserted: boolean }[]): UpsertCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

/** Upserts members; anyone no longer listed, or listed as removed, is marked removed (once, keeping the date). */
export async function storeMembers(
  db: DbOrTx,
  members: Member[],
  seenAt: Date,
): Promise<UpsertCounts & { removed: number }> {
  if (members.length === 0) return { inserted: 0, updated: 0, removed: 0 };
  const rows: { inserted: boolean }[] = [];
  // 8 parameters a row: chunks keep a statement under Postgres's 65,535-parameter limit.
  for (let i = 0; i < members.length; i += 2_000)
    rows.push(...(await upsertMembers(db, members.slice(i, i + 2_000), seenAt)));
  const listed = members.map((m) => m.email.toLowerCase());
  const gone = await db
    .updateTable('members')
    .set({ is_removed: true, removed_at: seenAt })
    .where('is_removed', '=', false)
    .where('email', 'not in', listed)
    .executeTakeFirst();
  return { ...countUpserts(rows), removed: Number(gone.numUpdatedRows) };
}

function upsertMembers(db: DbOrTx, members: Member[], seenAt: Date) {
  return db
    .insertInto('members')
    .values(
      members.map((m) => ({
        email: m.email.toLowerCase(),
        cursor_user_id: m.id,
        name: m.name ?? null,
        role: m.role,
        is_removed: m.isRemoved,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
        removed_at: m.isRemoved ? seenAt : null,
      })),
    )
    .onConflict((oc) =>
      oc.column('email').doUpdateSet((eb) => ({
        cursor_user_id: eb.ref('excluded.cursor_user_id'),
        name: eb.ref('excluded.name'),
        role: eb.ref('excluded.role'),
        is_removed: eb.ref('excluded.is_removed'),
        last_seen_at: eb.ref('excluded.last_seen_at'),
        removed_at: sql`CASE WHEN excluded.is_removed THEN coalesce(members.removed_at, excluded.removed_at) ELSE NULL END`,
      })),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
}

export async function storeSpend(db: DbOrTx, cycleStartMs: number, rows: SpendRow[]): Promise<UpsertCounts> {
  const out: { inserted: boolean }[] = [];
  // 9 parameters a row: chunks keep a statement under Postgres's 65,535-parameter limit at 10,000 members.
  for (let i = 0; i < rows.length; i += 2_000)
    out.push(...(await upsertSpend(db, new Date(cycleStartMs), rows.slice(i, i + 2_000))));
  return countUpserts(out);
}

function upsertSpend(db: DbOrTx, cycleStart: Date, rows: SpendRow[]) {
  return db
    .insertInto('member_spend')
    .values(
      rows.map((r) => ({
        email: r.email.toLowerCase(),
        cycle_start: cycleStart,
        spend_cents: r.spendCents,
        overall_spend_cents: r.overallSpendCents ?? r.spendCents,
        fast_premium_requests: r.fastPremiumRequests ?? null,
        hard_limit_override_dollars: r.hardLimitOverrideDollars ?? null,
        monthly_limit_dollars: r.monthlyLimitDollars ?? null,
        effective_per_user_limit_dollars: r.effectivePerUserLimitDollars ?? null,
        collected_at: new Date(),
      })),
    )
    .onConflict((oc) =>
      oc.columns(['email', 'cycle_start']).doUpdateSet((eb) => ({
        spend_cents: eb.ref('excluded.spend_cents'),
        overall_spend_cents: eb.ref('excluded.overall_spend_cents'),
        fast_premium_requests: eb.ref('excluded.fast_premium_requests'),
        hard_limit_override_dollars: eb.ref('excluded.hard_limit_override_dollars'),
        monthly_limit_dollars: eb.ref('excluded.monthly_limit_dollars'),
        effective_per_user_limit_dollars: eb.ref('excluded.effective_per_user_limit_dollars'),
        collected_at: eb.ref('excluded.collected_at'),
      })),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
}

/** The UTC day of a daily-usage row: `day` when sent, else from the epoch-ms `date`. */
export function rowDay(r: DailyUsageRow): string {
  return r.day ?? new Date(r.date).toISOString().slice(0, 10);
}

/** Upserts daily rows (Cursor restates recent days). Rows without an email cannot be attributed and are skipped. */
export async function storeDailyUsage(db: DbOrTx, rows: DailyUsageRow[]): Promise<UpsertCounts & { skipped: number }> {
  const usable = rows.filter((r) => r.email);
  const out: { inserted: boolean }[] = [];
  // A page holds up to 500 members × 30 days; 25 parameters a row must stay under Postgres's 65,535 per statement.
  for (let i = 0; i < usable.length; i += 2_000) out.push(...(await upsertDailyUsage(db, usable.slice(i, i + 2_000))));
  return { ...countUpserts(out), skipped: rows.length - usable.length };
}

function upsertDailyUsage(db: DbOrTx, usable: DailyUsageRow[]) {
  return db
    .insertInto('daily_usage')
    .values(
      usable.map((r) => ({
        email: r.email!.toLowerCase(),
        day: rowDay(r),
        cursor_user_id: r.userId ?? null,
        is_active: r.isActive,
        total_lines_added: r.totalLinesAdded,
        total_lines_deleted: r.totalLinesDeleted,
        accepted_lines_added: r.acceptedLinesAdded,
        accepted_lines_deleted: r.acceptedLinesDeleted,
        total_applies: r.totalApplies,
        total_accepts: r.totalAccepts,
        total_rejects: r.totalRejects,
        total_tabs_shown: r.totalTabsShown,
        total_tabs_accepted: r.totalTabsAccepted,
        composer_requests: r.composerRequests,
        chat_requests: r.chatRequests,
        agent_requests: r.agentRequests,
        cmdk_usages: r.cmdkUsages,
        subscription_included_reqs: r.subscriptionIncludedReqs,
        api_key_reqs: r.apiKeyReqs,
        usage_based_reqs: r.usageBasedReqs,
        bugbot_usages: r.bugbotUsages,
        most_used_model: r.mostUsedModel ?? null,
        apply_most_used_extension: r.applyMostUsedExtension ?? null,
        tab_most_used_extension: r.tabMostUsedExtension ?? null,
        client_version: r.clientVersion ?? null,
        collected_at: new Date(),
      })),
    )
    .onConflict((oc) =>
      oc.columns(['email', 'day']).doUpdateSet((eb) => {
        const cols = [
          'cursor_user_id',
          'is_active',
          'total_lines_added',
          'total_lines_deleted',
          'accepted_lines_added',
          'accepted_lines_deleted',
          'total_applies',
          'total_accepts',
          'total_rejects',
          'total_tabs_shown',
          'total_tabs_accepted',
          'composer_requests',
          'chat_requests',
          'agent_requests',
          'cmdk_usages',
          'subscription_included_reqs',
          'api_key_reqs',
          'usage_based_reqs',
          'bugbot_usages',
          'most_used_model',
          'apply_most_used_extension',
          'tab_most_used_extension',
          'client_version',
          'collected_at',
        ] as const;
        return Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}`)]));
      }),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
}

/**
 * Brings billing groups in line with the API: groups upserted, each group's members made exactly the listed ones,
 * daily spend upserted, groups no longer listed removed. Call inside a transaction so readers never see a group
 * half-replaced.
 */
export async function storeBillingGroups(
  db: DbOrTx,
  groups: BillingGroup[],
  billingCycle: { start: string; end: string | null } | null,
): Promise<UpsertCounts> {
  let counts: UpsertCounts = { inserted: 0, updated: 0 };
  for (const g of groups) {
    const row = await db
      .insertInto('billing_groups')
      .values({
        group_id: g.id,
        name: g.name,
        spend_cents: g.spendCents,
        billing_cycle: g.cycleStart ?? billingCycle?.start ?? null,
        billing_cycle_end: g.cycleEnd ?? billingCycle?.end ?? null,
        raw: JSON.stringify(rawGroup(g)),
        collected_at: new Date(),
      })
      .onConflict((oc) =>
        oc.column('group_id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          spend_cents: eb.ref('excluded.spend_cents'),
          billing_cycle: eb.ref('excluded.billing_cycle'),
          billing_cycle_end: eb.ref('excluded.billing_cycle_end'),
          raw: eb.ref('excluded.raw'),
          collected_at: eb.ref('excluded.collected_at'),
        })),
      )
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .executeTakeFirstOrThrow();
    counts = row.inserted ? { ...counts, inserted: counts.inserted + 1 } : { ...counts, updated: counts.updated + 1 };
    const emails = [...new Set(g.members.map((m) => m.email.toLowerCase()))];
    let stale = db.deleteFrom('billing_group_members').where('group_id', '=', g.id);
    if (emails.length) stale = stale.where('email', 'not in', emails);
    await stale.execute();
    for (let i = 0; i < emails.length; i += 5_000) {
      await db
        .insertInto('billing_group_members')
        .values(emails.slice(i, i + 5_000).map((email) => ({ group_id: g.id, email })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    if (g.dailySpend.length) {
      await db
        .insertInto('billing_group_daily_spend')
        .values(g.dailySpend.map((d) => ({ group_id: g.id, day: d.date, spend_cents: d.spendCents })))
        .onConflict((oc) =>
          oc.columns(['group_id', 'day']).doUpdateSet((eb) => ({ spend_cents: eb.ref('excluded.spend_cents') })),
        )
        .execute();
    }
  }
  let gone = db.deleteFrom('billing_groups');
  if (groups.length)
    gone = gone.where(
      'group_id',
      'not in',
      groups.map((g) => g.id),
    );
  await gone.execute();
  return counts;
}

/** A group as read, fields we do not use included, without its (possibly long) member and daily lists. */
function rawGroup(g: BillingGroup): Record<string, unknown> {
  const { members, dailySpend, ...rest } = g;
  return { ...rest, memberCount: members.length, dailySpendDays: dailySpend.length };
}

export async function storeAnalytics(
  db: DbOrTx,
  dau: { date: string; dau: number }[],
  models: { date: string; model: string; messages: number; users: number }[],
): Promise<number> {
  if (dau.length) {
    await db
      .insertInto('analytics_dau')
      .values(dau.map((d) => ({ day: d.date, dau: d.dau, collected_at: new Date() })))
      .onConflict((oc) =>
        oc
          .column('day')
          .doUpdateSet((eb) => ({ dau: eb.ref('excluded.dau'), collected_at: eb.ref('excluded.collected_at') })),
      )
      .execute();
  }
  if (models.length) {
    await db
      .insertInto('analytics_model_usage')
      .values(
        models.map((m) => ({
          day: m.date,
          model: m.model,
          messages: m.messages,
          users: m.users,
          collected_at: new Date(),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['day', 'model']).doUpdateSet((eb) => ({
          messages: eb.ref('excluded.messages'),
          users: eb.ref('excluded.users'),
          collected_at: eb.ref('excluded.collected_at'),
        })),
      )
      .execute();
  }
  return dau.length + models.length;
}
