// `npm run build -w worker`: bundles the worker's long-running CLIs (src/cli/start.ts, collect.ts) with the contract
// and simulator workspaces into dist/cli/<name>.cjs (bundle.mjs); the packages of node_modules stay where they are,
// required at run time. `npm start` and `npm run collect` build, then run the bundle: the same worker run by tsx
// carries tsx's loader and each module's transform, 20-35 MiB more at rest and 80-120 MiB more at a backfill's peak
// (bench:collect, section 1, which starts the worker as `npm start` does). A source map is written beside each
// bundle, not loaded: `--enable-source-maps` costs about 10 MB of live heap, which V8's heap growth turns into up to
// 60 MiB of peak.
import path from 'node:path';
import { bundle, workerDir } from './bundle.mjs';

// The short-lived CLIs (doctor, migrate, detect, …) still run by tsx: their footprint does not matter.
await bundle(
  ['start', 'collect'].map((name) => path.join(workerDir, 'src/cli', `${name}.ts`)),
  path.join(workerDir, 'dist/cli'),
);
