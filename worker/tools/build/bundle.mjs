// How the worker's CLIs are bundled (esbuild): the workspaces (TypeScript sources) go into the bundle, every installed
// package of the worker's dependencies stays outside, required at run time. main.mjs bundles the long-running CLIs
// with it; bench:detect-pass bundles its pass child with it, so the pass it measures carries what the worker's does.
// Plain JavaScript so that it runs before anything is built; esbuild is the one tsx itself uses.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

export const workerDir = path.resolve(import.meta.dirname, '../..');

/** Bundles `entryPoints` into `outdir`/<name>.cjs (with a source map beside each, not loaded). */
export async function bundle(entryPoints, outdir) {
  const manifest = JSON.parse(readFileSync(path.join(workerDir, 'package.json'), 'utf8'));
  const external = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@cursor-cost-watch/'));
  const result = await build({
    entryPoints,
    outdir,
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
  // Each file written beside, then renamed over the old one: a second worker starting in the same checkout at the
  // same moment reads a whole bundle, the old or the new, never a half-written one.
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
}
