/**
 * The dependency rule, enforced by `npm run lint` (import-x/no-restricted-paths, on resolved paths).
 * Layers point one way:
 *
 *   domain       worker/src/detection (pure functions), worker/src/settings/schema.ts, the contract's vocabulary
 *     ↑
 *   persistence  worker/src/db (pool, migrations, schema types, repositories), worker/src/settings (the store)
 *     ↑
 *   application  worker/src/{collector,incidents,notify,nudge,chargeback,spend-limits,report,jobs,api,queue,doctor,cursor}
 *     ↑
 *   entry points worker/src/cli, worker/src/worker.ts
 *
 * Beside them: the simulator (its own workspace, simulator/) is the demo's fake Cursor: worker src reaches it only
 * from entry points, and it imports nothing of the worker (it writes its own wire types, simulator/src/wire.ts).
 * Bench, tools and tests may import production code, never the reverse, and bench/tools never import tests.
 * README.md "Architecture" describes the same rule.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const src = (p) => `./worker/src/${p}`;
const APPLICATION = [
  'collector',
  'incidents',
  'notify',
  'nudge',
  'chargeback',
  'spend-limits',
  'report',
  'jobs',
  'api',
  'queue',
  'doctor',
  'cursor',
].map(src);
const ENTRY = [src('cli'), src('worker.ts')];
/** Everything in worker/src but the entry points, read from the tree so that a new folder is covered too. */
const NOT_ENTRY = readdirSync(join(import.meta.dirname, 'worker/src'))
  .map(src)
  .filter((p) => !ENTRY.includes(p));

const zones = [
  {
    target: './worker/src',
    from: ['./worker/test', './worker/bench', './worker/tools', './plugin', './scripts'],
    message: 'production code never imports test, bench or tool code',
  },
  {
    target: ['./worker/bench', './worker/tools'],
    from: './worker/test',
    message: 'bench and tools never import test code (move what they share into bench/ or tools/)',
  },
  {
    target: './contract',
    from: ['./worker', './plugin', './simulator'],
    message: 'the contract is shared by the worker and the plugin and depends on neither',
  },
  {
    target: src('detection'),
    from: './worker/src',
    except: ['./detection', './settings/schema.ts'],
    message: 'detection is the pure domain: it imports only itself, the settings schema and the contract',
  },
  {
    target: './simulator',
    from: ['./worker', './plugin', './scripts'],
    message: 'the simulator is a model of Cursor of its own: it imports nothing of the worker (see simulator/src/wire.ts)',
  },
  {
    target: [src('db'), src('settings')],
    from: [...APPLICATION, ...ENTRY],
    message: 'persistence (db/, settings/) does not depend on the application or entry points',
  },
  {
    target: [src('detection'), src('db'), src('settings'), src('config'), ...APPLICATION],
    from: ENTRY,
    message: 'nothing imports the entry points (cli/, worker.ts)',
  },
  {
    target: NOT_ENTRY,
    from: './simulator',
    message: 'the simulated Cursor API is for demo mode, tests and benchmarks: only entry points start it',
  },
];

export const layers = {
  files: ['worker/**/*.ts', 'contract/**/*.ts', 'simulator/**/*.ts'],
  plugins: { 'import-x': importX },
  settings: {
    'import-x/resolver-next': [
      createTypeScriptImportResolver({
        project: ['worker/tsconfig.json', 'contract/tsconfig.json', 'simulator/tsconfig.json'],
        noWarnOnMultipleProjects: true,
      }),
    ],
  },
  rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
};
