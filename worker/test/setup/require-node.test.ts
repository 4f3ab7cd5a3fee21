import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { parse } from 'acorn';

const FILE = path.resolve(__dirname, '../../src/cli/require-node.cjs');
const source = fs.readFileSync(FILE, 'utf8');

/** Runs the check file as `node require-node.cjs` would, on a pretend Node version. */
function runAs(version: string): { code: number | undefined; printed: string[] } {
  const printed: string[] = [];
  let code: number | undefined;
  const mod: { exports: unknown } = { exports: {} };
  vm.runInNewContext(source, {
    module: mod,
    require: { main: mod },
    process: {
      versions: { node: version },
      exit: (c: number) => {
        code = c;
      },
    },
    console: { error: (m: string) => printed.push(m) },
  });
  return { code, printed };
}

describe('Node older than 22 is refused first, with one line saying what to install', () => {
  it('parses as ES5, so any Node that exists can print the message', () => {
    expect(() => parse(source, { ecmaVersion: 5, sourceType: 'script' })).not.toThrow();
  });

  it('refuses Node 20 with one line, and lets Node 22 and 24 through', () => {
    const old = runAs('20.11.1');
    expect(old.code).toBe(1);
    expect(old.printed).toEqual([
      'Cursor Cost Watch needs Node.js 22 or newer; this is Node.js 20.11.1. Install Node.js 22 or 24 (https://nodejs.org, or nvm install 24), then run the command again.',
    ]);
    for (const ok of ['22.0.0', '24.21.0']) expect(runAs(ok)).toEqual({ code: undefined, printed: [] });
  });

  it('runs before every CLI script (node --import tsx itself fails on old Node)', () => {
    const scripts = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).scripts;
    const clis = Object.entries(scripts as Record<string, string>).filter(([, s]) => s.includes('src/cli/'));
    expect(clis.length).toBeGreaterThanOrEqual(6);
    for (const [, script] of clis) expect(script.startsWith('node src/cli/require-node.cjs && ')).toBe(true);
  });
});
