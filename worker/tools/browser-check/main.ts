/**
 * The plugin's browser check (plugin/e2e-browser/run.ts) runs the worker as it runs in production (`npm start`,
 * demo mode) and reaches the worker's database only through this tool, run beside it as a child process with the
 * same EMBEDDED_PG_DIR (it attaches to the running embedded PostgreSQL as a client). One JSON line on stdout:
 *
 *   npm run browser-check -w worker -- seed    spend-limit changes turned on (Cursor is the simulator, as in demo
 *                                               mode), one developer incident taken through the nudge lifecycle
 *   npm run browser-check -w worker -- audit   who the API audit recorded, and how each identity was known
 */
import { sql } from 'kysely';
import { openRuntime } from '../../src/cli/bootstrap';
import { updateSettings } from '../../src/settings';
import { seedNudgedIncident } from './seed-nudge';

async function main(command: string | undefined): Promise<unknown> {
  if (command !== 'seed' && command !== 'audit')
    throw new Error(`usage: browser-check seed|audit (got ${command ?? 'nothing'})`);
  const rt = await openRuntime({ env: process.env, logToStderr: true });
  try {
    if (command === 'seed') {
      await updateSettings(rt.db, { spendLimitFeature: 'on' }, 'browser-check');
      return await seedNudgedIncident(rt.db, rt.config);
    }
    const audited = await sql<{ actor: string; verified: boolean; source: string }>`
      SELECT DISTINCT actor, identity_verified AS verified, identity_source AS source FROM api_audit`.execute(rt.db);
    return audited.rows;
  } finally {
    await rt.close();
  }
}

main(process.argv[2]).then(
  (result) => console.log(JSON.stringify(result)),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
