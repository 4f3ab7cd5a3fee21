// `npm run build -w worker`: bundles the worker's long-running CLIs (src/cli/start.ts, collect.ts) with the contract
// and simulator workspaces into dist/cli/<name>.cjs; the packages of node_modules stay where they are, required at
// run time. `npm start` and `npm run collect` build, then run the bundle: the same worker run by tsx carries tsx's
// loader and each module's transform, 20-35 MiB more at rest and 80-120 MiB more at a backfill's peak (bench:collect,
// section 1, which starts the worker as `npm start` does). A source map is written beside each bundle, not loaded:
// `--enable-source-maps` costs about 10 MB of live heap, which V8's heap growth turns into up to 60 MiB of peak.
// Plain JavaScript so that it runs before anything is built; esbuild is the one tsx itself uses.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const workerDir = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(workerDir, 'package.json'), 'utf8'));
// The workspaces are TypeScript sources: bundled. Everything else is an installed package: required at run time.
const external = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@cursor-cost-watch/'));
// The short-lived CLIs (doctor, migrate, detect, …) still run by tsx: their footprint does not matter.
const entryPoints = ['start', 'collect'].map((name) => path.join(workerDir, 'src/cli', `${name}.ts`));

const result = await build({
  entryPoints,
  outdir: path.join(workerDir, 'dist/cli'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external,
  sourcemap: true,
  write: false,
  logLevel: 'warning',
});
// Each file written beside, then renamed over the old one: a second worker starting in the same checkout at the same
// moment reads a whole bundle, the old or the new, never a half-written one.
for (const file of result.outputFiles) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  const partial = `${file.path}.${process.pid}.partial`;
  writeFileSync(partial, file.contents);
  renameSync(partial, file.path);
}
