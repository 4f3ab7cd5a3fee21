import { sql } from 'kysely';
import { createTestDb, dropTestDb, type TestDb } from './support/test-db';
import { migrateToLatest } from '../src/db/migrate';

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('mig');
  });
  afterAll(async () => dropTestDb(t));

  it('creates every table the Database interface names', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(t.db);
    const names = rows.map((r) => r.table_name);
    for (const table of [
      'members',
      'member_spend',
      'daily_usage',
      'usage_events',
      'user_daily_rollup',
      'user_model_daily_rollup',
      'collection_runs',
      'collection_watermarks',
      'incidents',
      'settings',
    ]) {
      expect(names).toContain(table);
    }
  });

  it('is a no-op when run again', async () => {
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('creates monthly event partitions on demand, idempotently', async () => {
    await sql`SELECT ensure_usage_event_partitions('2026-01-15T00:00:00Z', '2026-03-02T00:00:00Z')`.execute(t.db);
    await sql`SELECT ensure_usage_event_partitions('2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z')`.execute(t.db);
    const { rows } = await sql<{ relname: string }>`
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'usage_events'::regclass ORDER BY 1`.execute(t.db);
    expect(rows.map((r) => r.relname)).toEqual([
      'usage_events_2026_01',
      'usage_events_2026_02',
      'usage_events_2026_03',
    ]);
  });
});
