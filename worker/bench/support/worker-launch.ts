import fs from 'node:fs';
import path from 'node:path';

/**
 * How `npm start` launches the worker (worker/package.json's start script), so a benchmark measures a process run
 * the same way: its V8 flags and its malloc arenas.
 */
function startScript(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts.start;
}

/** The node and V8 flags `npm start` gives the worker, e.g. --max-semi-space-size=8. */
export function workerNodeFlags(): string[] {
  return launch()[1].trim().split(/\s+/).filter(Boolean);
}

/** The malloc arenas `npm start` gives the worker (MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}: its default), if any. */
export function workerEnv(): Record<string, string> {
  const m = /MALLOC_ARENA_MAX=(?:\$\{MALLOC_ARENA_MAX:-(\d+)\}|(\d+))/.exec(startScript());
  return m ? { MALLOC_ARENA_MAX: m[1] ?? m[2] } : {};
}

/** The file `npm start` runs (after building it): the worker's bundle, dist/cli/start.cjs. */
export function workerEntry(): string {
  return path.resolve(import.meta.dirname, '../..', launch()[2]);
}

/** The start script's last command, `exec node <flags> <file>`, split. */
function launch(): RegExpExecArray {
  const m = /exec node ((?:--\S+ (?:tsx )?)*)(\S+)$/.exec(startScript()); // `--import tsx` is a flag with its value
  if (!m)
    throw new Error(`worker/package.json's start script no longer ends in "exec node … <file>": ${startScript()}`);
  return m;
}
