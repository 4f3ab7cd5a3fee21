import { withRuntime } from './bootstrap';

/** `npm run migrate`: applies pending migrations from sql/ (openRuntime does it) and says what the schema is at. */
void withRuntime(async ({ db }) => {
  const rows = await db
    .selectFrom('kysely_migration' as never)
    .select('name' as never)
    .execute();
  console.log(
    `schema up to date: ${rows.length} migrations applied (${rows.map((r) => (r as { name: string }).name).join(', ')})`,
  );
});
