import type { DetectionInput } from '../../src/detection';
import type { UserDay, UserModelDay } from '../../src/detection/types';
import type { Scenario } from '../scenarios/team';

/** Tiles a team's rows with distinct emails up to `developers` (same statistical shape). */
export function tile(base: Scenario, developers: number): DetectionInput {
  const size = base.shape.size;
  const copies = Math.ceil(developers / size);
  const userDays: UserDay[] = [];
  const userModelDays: UserModelDay[] = [];
  const members: DetectionInput['members'] = [];
  const rename = (email: string, c: number) => (c === 0 ? email : `c${c}.${email}`);
  for (let c = 0; c < copies; c++)
    for (const m of base.input.members.slice(0, Math.min(size, developers - c * size)))
      members.push({ ...m, email: rename(m.email, c) });
  const wanted = new Set(members.map((m) => m.email));
  for (let c = 0; c < copies; c++) {
    for (const r of base.input.userDays)
      if (wanted.has(rename(r.email, c))) userDays.push({ ...r, email: rename(r.email, c) });
    for (const r of base.input.userModelDays)
      if (wanted.has(rename(r.email, c))) userModelDays.push({ ...r, email: rename(r.email, c) });
  }
  const byDay = <T extends { day: string }>(a: T, b: T) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0);
  return {
    asOf: base.shape.lastDay,
    userDays: userDays.sort(byDay),
    userModelDays: userModelDays.sort(byDay),
    members,
    cycleSpend: [],
  };
}
