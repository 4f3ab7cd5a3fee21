import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { npmLaunch, npmScript, type NpmLaunch } from '../build/npm-launch';

export const WORKER_DIR = path.resolve(__dirname, '../..');

export interface CliChild {
  child: ChildProcess;
  /** Exit code, -1 when killed by a signal. */
  exited: Promise<number | null>;
  output(): string;
  stdout(): string;
  stderr(): string;
}

const live = new Set<ChildProcess>();

/** SIGKILLs every CLI child still running (the campaign interrupted: nothing it started outlives it). */
export function killLiveChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Runs one of the worker's CLIs as a real child process (as `npm run …` would), capturing its output. */
export function spawnCli(script: string, env: Record<string, string | undefined>, args: string[] = []): CliChild {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  // One process, as `npm run` ends in `exec node …` (the tsx binary would run the script in a grandchild a SIGKILL
  // cannot reach): the worker's bundle where npm runs it (start, collect), with the script's flags and environment,
  // else the source through tsx.
  const bundle = bundleOf(script, childEnv);
  if (bundle) Object.assign(childEnv, bundle.env);
  const child: ChildProcess = spawn(
    process.execPath,
    bundle
      ? [...bundle.flags, bundle.entry, ...args]
      : ['--import', 'tsx', path.join(WORKER_DIR, 'src/cli', script), ...args],
    { cwd: WORKER_DIR, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => ((output += c), (stdout += c)));
  child.stderr?.on('data', (c) => ((output += c), (stderr += c)));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { child, exited, output: () => output, stdout: () => stdout, stderr: () => stderr };
}

let built = false;

/**
 * The bundle `npm run <name>` runs for src/cli/<name>.ts (worker/package.json: `… dist/cli/<name>.cjs`), built once
 * per process by the same tool; undefined for a CLI npm runs from its source.
 */
function bundleOf(script: string, env: NodeJS.ProcessEnv): NpmLaunch | undefined {
  const name = path.basename(script, '.ts');
  if (!npmScript(name).includes(`dist/cli/${name}.cjs`)) return undefined;
  if (!built) execFileSync(process.execPath, [path.join(WORKER_DIR, 'tools/build/main.mjs')], { stdio: 'inherit' });
  built = true;
  return npmLaunch(name, env);
}

/** Polls `probe` until it returns something truthy; a probe that throws counts as "not yet". */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
