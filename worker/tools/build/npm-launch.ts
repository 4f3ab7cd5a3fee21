import fs from 'node:fs';
import path from 'node:path';

const WORKER_DIR = path.resolve(__dirname, '../..');

/** How npm launches a bundled CLI: node and V8 flags, the environment its script sets, the bundle. */
export interface NpmLaunch {
  flags: string[];
  env: Record<string, string>;
  /** Absolute path of the bundle. */
  entry: string;
}

/**
 * How `npm run <script>` launches a bundled CLI (worker/package.json: `… VAR=${VAR:-default} exec node <flags>
 * dist/cli/<name>.cjs`), read from the script so benchmarks and tests start the process as users do.
 */
export function npmLaunch(script: string, env: NodeJS.ProcessEnv = process.env): NpmLaunch {
  const text = npmScript(script);
  if (!text) throw new Error(`worker/package.json has no "${script}" script`);
  return parseNpmLaunch(text, env, `worker/package.json's ${script} script`);
}

/**
 * The launch in a script's text. `${VAR:-default}` takes VAR from `env` when set and not empty, as the shell does;
 * any other shell expansion or quoting is refused rather than passed on as it is written.
 */
export function parseNpmLaunch(text: string, env: NodeJS.ProcessEnv, where = 'the script'): NpmLaunch {
  const m = /&& ((?:[A-Z_]+=\S+ )*)exec node ((?:--\S+ )*)(dist\/cli\/\S+\.cjs)$/.exec(text);
  if (!m) throw new Error(`${where} does not end in "[VAR=value …] exec node [--flag …] dist/cli/<name>.cjs": ${text}`);
  const expand = (word: string) => {
    const value = word.replace(
      /\$\{([A-Z_]+):-([^}$'"]*)\}/g,
      (_, name: string, fallback: string) => env[name] || fallback,
    );
    if (/[$'"`\\]/.test(value)) throw new Error(`${where}: "${word}" uses shell syntax other than \${VAR:-default}`);
    return value;
  };
  const assignments = m[1].trim().split(/\s+/).filter(Boolean);
  return {
    flags: m[2].trim().split(/\s+/).filter(Boolean).map(expand),
    env: Object.fromEntries(assignments.map((a) => [a.slice(0, a.indexOf('=')), expand(a.slice(a.indexOf('=') + 1))])),
    entry: path.join(WORKER_DIR, m[3]),
  };
}

/** The text of `npm run <script>` in worker/package.json ('' when there is none). */
export function npmScript(script: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(WORKER_DIR, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts[script] ?? '';
}
