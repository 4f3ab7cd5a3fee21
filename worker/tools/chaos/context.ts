import { DAY_MS } from '@cursor-cost-watch/contract';
import pg from 'pg';
import type { WebhookReceiver } from './alerts';
import type { CampaignCluster } from './cluster';
import type { SimulatorProcess } from './simulator-control';

export { DAY_MS };
export const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

export interface CampaignOptions {
  quick: boolean;
  /** SIGKILLs of `collect`, and as many of the worker. */
  kills: number;
  seed: number;
  teamSize: number;
  backfillDays: number;
}

export interface Campaign {
  opts: CampaignOptions;
  cluster: CampaignCluster;
  sim: SimulatorProcess;
  receiver: WebhookReceiver;
  apiKey: string;
  simNowMs: number;
  /** Seeded, so a campaign's kill times can be replayed with --seed. */
  random(): number;
  /** Environment for `collect` and the worker against this run's database. */
  env(url: string, extra?: Record<string, string>): Record<string, string>;
  freePort(): Promise<number>;
}

/** One row of the table: what was done, what was measured, and what was expected. */
export interface RunResult {
  name: string;
  kills: number;
  lost: number;
  duplicated: number;
  quarantined: number;
  expectedQuarantined: number;
  centsOff: number;
  /** null: the run has no notification channel (collect alone). */
  alertsLost: number | null;
  alertsDuplicated: number | null;
  /** Processes under test that exited on their own when they should have stayed up. */
  crashes: number;
  notes: string[];
  /** Anything else that is wrong (a vacuous run, rollups that disagree, a timeout). */
  problems: string[];
  wallMs: number;
}

export async function scalar<T>(url: string, query: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Object.values((await c.query(query)).rows[0] ?? {})[0] as T;
  } finally {
    await c.end();
  }
}
