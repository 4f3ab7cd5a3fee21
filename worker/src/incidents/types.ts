import type { Selectable } from 'kysely';
import type { IncidentsTable } from '../db/schema/detection';

export type IncidentRow = Selectable<IncidentsTable>;

/** What one detection pass did to the incidents. */
export interface RecordResult {
  opened: number[];
  updated: number[];
  escalated: number[];
  autoResolved: number[];
  /** Incidents the system had resolved whose excess came back (in `updated` too): reopened, not opened again. */
  reopened: number[];
  /** Personal-spike incidents renamed to the lasting rise the excess turned out to be (in `updated` too). */
  renamed: number[];
  /** Anomalies of snoozed subjects: recorded by the pass, no incident, nobody notified. */
  snoozed: number;
  /** Anomalies of an episode a person already closed (or a replay of a day already past an auto-resolution). */
  suppressed: number;
  /** Incidents to announce: opened, escalated, or still never announced. Queueing them again is harmless. */
  toNotify: number[];
}
