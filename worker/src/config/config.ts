import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The repository root: relative paths in the configuration are resolved from here. The nearest folder above this
 * module that holds the migrations (`sql/`) and the worker: the same whether the sources run (worker/src/config) or
 * the bundle does (worker/dist/cli, `npm run build`).
 */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'sql')) && existsSync(path.join(dir, 'worker', 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root (sql/ and worker/) above ${from}`);
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which cannot enter a 0700 home such as /root: its binaries and
 * (unless EMBEDDED_PG_DIR is set) its data then live under this root-owned 0755 folder.
 */
export const ROOT_STATE_DIR = '/var/lib/cursor-cost-watch';

/** The data directory used as root when the default one is closed to the postgres user: one per clone. */
export function rootFallbackPgDir(repoRoot = REPO_ROOT): string {
  const name = path.basename(repoRoot).replace(/[^A-Za-z0-9._-]+/g, '-');
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 8);
  return path.join(ROOT_STATE_DIR, `${name}-${hash}`, 'postgres');
}

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const optionalUrl = (what: string) =>
  optionalString.refine((v) => v === undefined || URL.canParse(v), { message: `must be a URL (${what})` });

const int = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

/** Five-field cron: minute hour day-of-month month day-of-week. */
const cron = z
  .string()
  .trim()
  .refine((v) => v.split(/\s+/).length === 5 && /^[\d*/,\-\sA-Za-z]+$/.test(v), {
    message: 'must be a five-field cron expression such as "0 * * * *"',
  });

export const configSchema = z.object({
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must start with postgres:// or postgresql://',
  }),
  EMBEDDED_PG_DIR: z
    .string()
    .trim()
    .transform((v) => v || './data/postgres')
    .default('./data/postgres'),
  EMBEDDED_PG_PORT: int(1024, 65535, 54329),
  /** 1: the embedded PostgreSQL runs with fsync=off (tests, CI): faster, and a power cut may corrupt its data. */
  EMBEDDED_PG_FAST: z
    .enum(['0', '1'], { message: 'must be 0 or 1' })
    .default('0')
    .transform((v) => v === '1'),
  CURSOR_ADMIN_API_KEY: optionalString.refine((v) => v === undefined || /^\S{8,}$/.test(v), {
    message:
      "must be a Cursor Admin API key: at least 8 characters, no spaces (Cursor's keys look like key_ and 64 hex characters)",
  }),
  CURSOR_ANALYTICS_API_KEY: optionalString,
  /** Saves one redacted sample answer per endpoint there (bug reports). */
  CURSOR_CAPTURE_DIR: optionalString,
  CURSOR_API_BASE_URL: z.string().url('must be a URL such as https://api.cursor.com').default('https://api.cursor.com'),
  CURSOR_RATE_LIMIT_PER_MIN: int(1, 10_000, 20),
  CURSOR_EVENTS_RATE_LIMIT_PER_MIN: int(1, 10_000, 20),
  CURSOR_REQUEST_TIMEOUT_MS: int(1_000, 600_000, 30_000),
  CURSOR_MAX_RESPONSE_BYTES: int(1_048_576, 2_147_483_647, 64 * 1024 * 1024),
  COLLECT_CRON: cron.default('0 * * * *'),
  BACKFILL_DAYS: int(1, 365, 30),
  RESTATE_DAYS: int(0, 30, 2),
  EVENT_RETENTION_MONTHS: int(1, 1200, 13),
  RESTATE_EVENTS_CRON: cron.default('30 3 * * *'),
  EVENT_OVERLAP_HOURS: int(1, 168, 6),
  WORKER_HEARTBEAT_SECONDS: int(10, 3600, 60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIM_TEAM_SIZE: int(10, 10_000, 80),
  SIM_SEED: int(0, 2_147_483_647, 42),
  SIM_PORT: int(0, 65535, 0),
  WORKER_API_HOST: z.string().default('127.0.0.1'),
  WORKER_API_PORT: int(0, 65535, 8787),
  WORKER_API_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  GRAFANA_URL: optionalUrl('the Grafana address used in links').default('http://localhost:3000'),
  /** verify: Grafana's signed ID token is required; header: X-Grafana-Context taken as sent. Default: see identityMode. */
  GRAFANA_IDENTITY: optionalString.pipe(
    z.enum(['verify', 'header'], { message: 'must be "verify" or "header"' }).optional(),
  ),
  GRAFANA_JWKS_URL: optionalUrl("Grafana's signing keys, e.g. http://grafana:3000/api/signing-keys/keys"),
  GRAFANA_ORG_ID: int(1, 2_147_483_647, 1),
  SLACK_WEBHOOK_URL: optionalUrl('a Slack incoming webhook'),
  ALERT_WEBHOOK_URL: optionalUrl('a webhook that receives JSON alerts'),
  SMTP_HOST: optionalString,
  SMTP_PORT: int(1, 65535, 587),
  SMTP_USER: optionalString,
  SMTP_PASS: optionalString,
  SMTP_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  ALERT_EMAIL_FROM: optionalString,
  ALERT_EMAIL_TO: optionalString,
});

/** How the API learns who made a request (docs/grafana.md, "Who made a change"). */
export interface IdentityConfig {
  mode: 'verify' | 'header';
  /** Where Grafana publishes the public keys of its ID tokens (pkg/services/signingkeys/signingkeysimpl). */
  jwksUrl: string;
  /** Grafana's cfg.AppURL: its root_url, always ending in '/' (pkg/setting parseAppUrlAndSubUrl); the tokens' iss. */
  issuer: string;
  /** idimpl getAudience: "org:<orgId>". */
  audience: string;
}

export type Config = z.infer<typeof configSchema> & {
  demoMode: boolean;
  identity: IdentityConfig;
  embeddedPgDir: string;
  /** Set when EMBEDDED_PG_DIR is not: the data directory to use as root if embeddedPgDir is closed to postgres. */
  embeddedPgFallbackDir?: string;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; every bad value is named with what it should be. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?');
        const raw = env[key];
        const shown = raw === undefined || /KEY|PASS|TOKEN|SECRET/.test(key) ? '' : ` (got "${maskCredentials(raw)}")`;
        return `${key} ${i.message}${shown}`;
      }),
    );
  }
  const c = result.data;
  return {
    ...c,
    demoMode: c.CURSOR_ADMIN_API_KEY === undefined,
    identity: identityConfig(c),
    embeddedPgDir: path.resolve(REPO_ROOT, c.EMBEDDED_PG_DIR),
    embeddedPgFallbackDir: env.EMBEDDED_PG_DIR?.trim() ? undefined : rootFallbackPgDir(),
  };
}

/**
 * GRAFANA_IDENTITY defaults to verify when WORKER_API_TOKEN is set (the API is served to Grafana, the documented
 * deployment and the only one allowed off loopback) and to header without one (loopback only: whoever can reach it can
 * also run the CLI against the same database, so a signature would prove nothing there).
 */
function identityConfig(c: z.infer<typeof configSchema>): IdentityConfig {
  const root = c.GRAFANA_URL.endsWith('/') ? c.GRAFANA_URL : `${c.GRAFANA_URL}/`;
  return {
    mode: c.GRAFANA_IDENTITY ?? (c.WORKER_API_TOKEN === undefined ? 'header' : 'verify'),
    jwksUrl: c.GRAFANA_JWKS_URL ?? new URL('api/signing-keys/keys', root).toString(),
    issuer: root,
    audience: `org:${c.GRAFANA_ORG_ID}`,
  };
}

/** A URL's password (and a webhook's path, which is its secret) never appears in an error message. */
export function maskCredentials(value: string): string {
  if (!URL.canParse(value)) return value.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
  const url = new URL(value);
  if (url.password) url.password = '***';
  if (url.protocol.startsWith('http') && url.pathname.length > 1) url.pathname = '/***';
  url.search = url.search ? '?***' : '';
  return url.toString();
}
