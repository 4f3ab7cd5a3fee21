import { Gauge, Registry } from 'prom-client';
import { sql } from 'kysely';
import type { ApiDeps } from './deps';

/**
 * Figures read from PostgreSQL at scrape time, so every worker process reports the same truth and nothing is lost
 * on restart: collection lag, events ingested, open incidents, job failures.
 */
export function createPrometheusRegistry({ db, now }: Pick<ApiDeps, 'db' | 'now'>): Registry {
  const registry = new Registry();

  new Gauge({
    name: 'cursorwatch_collection_lag_seconds',
    help: 'Seconds between now and how far each Cursor endpoint has been collected (its watermark)',
    labelNames: ['endpoint'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('collection_watermarks').select(['endpoint', 'watermark']).execute();
      for (const r of rows)
        this.set({ endpoint: r.endpoint }, Math.max(0, (now().getTime() - r.watermark.getTime()) / 1000));
    },
  });

  new Gauge({
    name: 'cursorwatch_events_ingested_total',
    help: 'New rows stored by collection, per endpoint, since the database was created',
    labelNames: ['endpoint'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('collection_runs')
        .select(['endpoint', sql<number>`coalesce(sum(rows_new), 0)`.as('n')])
        .groupBy('endpoint')
        .execute();
      for (const r of rows) this.set({ endpoint: r.endpoint }, Number(r.n));
    },
  });

  new Gauge({
    name: 'cursorwatch_open_incidents',
    help: 'Incidents not yet resolved, per severity',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of ['info', 'warning', 'critical']) this.set({ severity: s }, 0);
      const rows = await db
        .selectFrom('incidents')
        .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '<>', 'resolved')
        .groupBy('severity')
        .execute();
      for (const r of rows) this.set({ severity: r.severity }, Number(r.n));
    },
  });

  new Gauge({
    name: 'cursorwatch_job_failures_total',
    help: 'Failed collection runs (per endpoint) and failed notification deliveries (per channel)',
    labelNames: ['job', 'target'],
    registers: [registry],
    async collect() {
      this.reset();
      const [runs, notes] = await Promise.all([
        db
          .selectFrom('collection_runs')
          .select(['endpoint', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', 'failed')
          .groupBy('endpoint')
          .execute(),
        db
          .selectFrom('notifications')
          .select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', 'failed')
          .groupBy('channel')
          .execute(),
      ]);
      for (const r of runs) this.set({ job: 'collect', target: r.endpoint }, Number(r.n));
      for (const r of notes) this.set({ job: 'notify', target: r.channel }, Number(r.n));
    },
  });

  new Gauge({
    name: 'cursorwatch_schema_drift_total',
    help: 'Collection runs whose Cursor API answers differed from the documented shape, per API endpoint and field path (collected anyway; see collection_runs.drift)',
    labelNames: ['endpoint', 'field'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{ endpoint: string; field: string; n: number }>`
        SELECT d->>'endpoint' AS endpoint, d->>'field' AS field, count(*)::int AS n
        FROM collection_runs, jsonb_array_elements(drift) AS d
        WHERE drift <> '[]'::jsonb
        GROUP BY 1, 2`.execute(db);
      for (const r of rows.rows) this.set({ endpoint: r.endpoint, field: r.field }, Number(r.n));
    },
  });

  return registry;
}
