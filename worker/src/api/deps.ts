import type { NotificationChannel, PreviewIncident } from '@cursor-cost-watch/contract';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { Db } from '../db/database';
import type { Settings } from '../settings';
import type { GrafanaIdVerifier, VerifierOptions } from './identity/grafana-id-token';

export interface BacktestSummary {
  days: number;
  perDetector: Record<string, number>;
  total: number;
  /** The incidents the backtest would have opened (worker/src/jobs/backtest.ts returns them). */
  incidents?: PreviewIncident[];
}

/** The parts of other modules the API calls that tests or the CLI may want to swap. */
export interface ApiServices {
  backtest(db: Db, opts: { days: number; settings?: Settings }): Promise<BacktestSummary>;
  sendTestNotification(config: Config, channel: NotificationChannel): Promise<unknown>;
}

/** What the API needs of Cursor: the spend-limit endpoint (worker/src/cursor/client.ts setUserSpendLimit). */
export interface SpendLimitGateway {
  setUserSpendLimit(email: string, dollars: number | null): Promise<{ outcome: string; message: string }>;
}

export interface ApiOptions {
  db: Db;
  boss?: PgBoss;
  config: Config;
  log: Logger;
  /** The clock; tests pin it. */
  now?: () => Date;
  services?: Partial<ApiServices>;
  /** How long /healthz waits for the database before answering 503 (default 2000 ms). */
  healthTimeoutMs?: number;
  /** GRAFANA_IDENTITY=verify: the verifier (default: Grafana's keys at config.identity.jwksUrl) and its tuning. */
  idVerifier?: GrafanaIdVerifier;
  idVerifierOptions?: VerifierOptions;
  /** Cursor's API (the simulator in demo mode); without it spend-limit changes answer 503. */
  cursor?: SpendLimitGateway;
}

export interface ApiDeps {
  db: Db;
  boss?: PgBoss;
  config: Config;
  log: Logger;
  now: () => Date;
  services: ApiServices;
  healthTimeoutMs: number;
  cursor?: SpendLimitGateway;
}
