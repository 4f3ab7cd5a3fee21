import type { ApiBillingGroupsResponse } from './wire';
import type { TeamCore } from './core';
import { cycleStartDay, dayNumberIso } from './days';
import { roundTo } from './models';
import { base62Id, intBetween, STREAM, streamRng } from './random';
import { GROUP_NAMES, type SimUser } from './roster';
import { cycleEndDay, cycleSpend } from './spend';

/** A developer moving to another billing group: from `day` on, their usage belongs to `to`. */
export interface GroupMove {
  userIdx: number;
  day: number;
  from: number;
  to: number;
}

const MOVE_SHARE = 0.06;
const movesMemo = new WeakMap<TeamCore, Map<number, GroupMove>>();

const groupCountOf = (core: TeamCore) => core.users.reduce((n, u) => Math.max(n, u.group + 1), 0);

/**
 * About 6% of developers (never the owner) move to another group once, on a day between a week into the history and
 * 45 days after the team's anchor day (so a clock moved forward meets moves too). Drawn from their own stream, so
 * the roster, events and anomalies are the same as without moves.
 */
export function groupMoves(core: TeamCore): Map<number, GroupMove> {
  let moves = movesMemo.get(core);
  if (moves) return moves;
  moves = new Map();
  const count = groupCountOf(core);
  if (count > 1) {
    for (const u of core.users) {
      if (u.idx === 0) continue;
      const rng = streamRng(core.seed, STREAM.groupMoves, u.idx);
      if (rng() >= MOVE_SHARE) continue;
      const day = intBetween(rng, core.historyStartDay + 7, core.anchorDay + 45);
      const to = (u.group + 1 + Math.floor(rng() * (count - 1))) % count;
      moves.set(u.idx, { userIdx: u.idx, day, from: u.group, to });
    }
  }
  movesMemo.set(core, moves);
  return moves;
}

/** The group a developer is in on `day`. */
export function groupOn(core: TeamCore, user: SimUser, day: number): number {
  const move = groupMoves(core).get(user.idx);
  return move && day >= move.day ? move.to : user.group;
}

export const groupName = (g: number) => GROUP_NAMES[g] ?? `Group ${g + 1}`;

/**
 * Billing groups of the cycle holding `day`, as Cursor reports them: each day's spend belongs to the group the
 * developer was in that day ("All usage is attributed to the user's group at the time it occurs",
 * cursor.com/docs/account/enterprise/billing-groups), so a move mid-cycle splits a developer's spend between two
 * groups. `members` are the developers in the group at the end of the cycle (today for the current one) who were
 * members of the team during it.
 */
export function groupsResponse(core: TeamCore, day: number): ApiBillingGroupsResponse {
  const cycleStart = cycleStartDay(day, core.cycleDayOfMonth);
  const cycleEnd = cycleEndDay(cycleStart, core.cycleDayOfMonth);
  const asOf = Math.min(core.today(), cycleEnd - 1);
  const count = groupCountOf(core);
  const inCycle = core.users.filter((u) => u.joinedDay < cycleEnd && (u.leftDay === null || u.leftDay > cycleStart));
  const daily: number[][] = Array.from({ length: count }, () => []);
  for (const u of inCycle) {
    cycleSpend(core, u, cycleStart).daily.forEach((cents, i) => {
      const g = groupOn(core, u, cycleStart + i);
      daily[g][i] = (daily[g][i] ?? 0) + cents;
    });
  }
  const days = inCycle.length ? cycleSpend(core, inCycle[0], cycleStart).daily.length : 0;
  const groups: ApiBillingGroupsResponse['groups'] = [];
  for (let g = 0; g < count; g++) {
    const perDay = Array.from({ length: days }, (_, i) => daily[g][i] ?? 0);
    groups.push({
      id: `grp_${base62Id(12, core.seed, STREAM.ids, 5000 + g)}`,
      name: groupName(g),
      spendCents: roundTo(
        perDay.reduce((a, b) => a + b, 0),
        6,
      ),
      members: inCycle
        .filter((u) => groupOn(core, u, asOf) === g)
        .map((u) => ({ email: u.email, userId: u.id, name: u.name })),
      dailySpend: perDay.map((cents, i) => ({ date: dayNumberIso(cycleStart + i), spendCents: roundTo(cents, 6) })),
    });
  }
  return { groups, billingCycle: dayNumberIso(cycleStart) };
}
