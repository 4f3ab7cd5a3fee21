import { isDay } from '@cursor-cost-watch/contract';
import type { UserDay, UserModelDay } from './types';

/** A member as detection needs it: when we first saw them (new hires lean on the team baseline). */
export interface MemberInfo {
  email: string;
  firstSeenDay: string | null;
  isRemoved: boolean;
}

/** A user's spend so far in the current billing cycle, as last reported by /teams/spend (up to asOf). */
export interface CycleSpend {
  email: string;
  cycleStart: string; // YYYY-MM-DD
  spendCents: number;
}

/** Everything one detection pass looks at: rows from the rollups up to and including `asOf`. */
export interface DetectionInput {
  asOf: string;
  userDays: UserDay[];
  userModelDays: UserModelDay[];
  members: MemberInfo[];
  cycleSpend: CycleSpend[];
  /** asOf is today and still running: a detection from yesterday still counts as current. */
  partialDay?: boolean;
  /**
   * The onset (YYYY-MM-DD) of the team incident still open, if any: while the team's spend stays up against before it
   * (within adaptAfterDays of it), the pass reports the team anomaly though its own reading of the level has faded.
   */
  openTeamOnset?: string;
}

/** Input detection refuses; the message names the field, the user and the day. */
export class DetectionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectionInputError';
  }
}

const DAY_FIELDS = [
  'events',
  'requestsCosts',
  'chargedCents',
  'totalTokens',
  'maxModeEvents',
  'headlessEvents',
  'maxModeCents',
  'headlessCents',
] as const;
const MODEL_FIELDS = ['events', 'chargedCents', 'totalTokens'] as const;

function checkNumber(value: unknown, field: string, where: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DetectionInputError(`${field} is ${String(value)} ${where}: must be a finite number`);
  }
  if (value < 0) throw new DetectionInputError(`${field} is ${value} ${where}: must not be negative`);
}

function checkRow(kind: string, row: { email: string; day: string }, asOf: string): string {
  const where = `for ${row.email || '(no email)'} on ${row.day} (${kind})`;
  if (!row.email) throw new DetectionInputError(`email is empty ${where}`);
  if (!isDay(row.day)) throw new DetectionInputError(`day "${row.day}" ${where}: must be YYYY-MM-DD`);
  if (row.day > asOf)
    throw new DetectionInputError(
      `day ${row.day} ${where} is after asOf ${asOf}: detection only reads data up to asOf`,
    );
  return where;
}

/** Throws DetectionInputError on negative, NaN or infinite numbers, bad days, or data after asOf. */
export function validateInput(input: DetectionInput): void {
  if (!isDay(input.asOf)) throw new DetectionInputError(`asOf "${input.asOf}" must be a day as YYYY-MM-DD`);
  for (const row of input.userDays) {
    const where = checkRow('user day', row, input.asOf);
    for (const f of DAY_FIELDS) checkNumber(row[f], f, where);
  }
  for (const row of input.userModelDays) {
    const where = checkRow(`model ${row.model}`, row, input.asOf);
    if (!row.model) throw new DetectionInputError(`model is empty ${where}`);
    for (const f of MODEL_FIELDS) checkNumber(row[f], f, where);
  }
  for (const c of input.cycleSpend) {
    const where = `for ${c.email} in the cycle starting ${c.cycleStart} (cycle spend)`;
    if (!isDay(c.cycleStart))
      throw new DetectionInputError(`cycleStart "${c.cycleStart}" ${where}: must be YYYY-MM-DD`);
    checkNumber(c.spendCents, 'spendCents', where);
  }
  const open = input.openTeamOnset;
  if (open !== undefined && (!isDay(open) || open > input.asOf))
    throw new DetectionInputError(`openTeamOnset "${open}" must be a day as YYYY-MM-DD, not after asOf ${input.asOf}`);
  for (const m of input.members) {
    if (m.firstSeenDay !== null && !isDay(m.firstSeenDay)) {
      throw new DetectionInputError(
        `firstSeenDay "${m.firstSeenDay}" for member ${m.email}: must be YYYY-MM-DD or null`,
      );
    }
  }
}
