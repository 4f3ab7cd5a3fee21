import path from 'node:path';
import { npmLaunch, parseNpmLaunch } from '../../../tools/build/npm-launch';

// Benchmarks and the tests that start the worker launch it as npm does, read from worker/package.json.

const WORKER_DIR = path.resolve(__dirname, '../../..');

describe('npmLaunch: how npm runs a bundled CLI', () => {
  it('reads start and collect: the bundle, its node flags and the environment their scripts set', () => {
    for (const script of ['start', 'collect']) {
      const launch = npmLaunch(script, {});
      expect(launch.entry).toBe(path.join(WORKER_DIR, 'dist/cli', `${script}.cjs`));
      expect(launch.flags).toContain('--max-semi-space-size=8');
      expect(launch.env).toEqual({ MALLOC_ARENA_MAX: '2' });
    }
  });

  it('expands ${VAR:-default} as the shell does: the variable when set and not empty, else the default', () => {
    const text = 'node x.cjs && MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} exec node --a=${A:-1} --b dist/cli/start.cjs';
    expect(parseNpmLaunch(text, {})).toMatchObject({ flags: ['--a=1', '--b'], env: { MALLOC_ARENA_MAX: '2' } });
    expect(parseNpmLaunch(text, { A: '', MALLOC_ARENA_MAX: '4' })).toMatchObject({
      flags: ['--a=1', '--b'],
      env: { MALLOC_ARENA_MAX: '4' },
    });
    expect(parseNpmLaunch(text, { A: '7' }).flags).toEqual(['--a=7', '--b']);
  });

  it('refuses what it would not launch as the shell does, saying where', () => {
    expect(() => npmLaunch('no-such-script')).toThrow('worker/package.json has no "no-such-script" script');
    expect(() => parseNpmLaunch('node --import tsx src/cli/start.ts', {}, 'the start script')).toThrow(
      'the start script does not end in "[VAR=value …] exec node [--flag …] dist/cli/<name>.cjs"',
    );
    for (const word of ['--a=$A', '--a=${A}', '--a=${A-1}', "--a='1'"])
      expect(() => parseNpmLaunch(`x && exec node ${word} dist/cli/start.cjs`, {})).toThrow(
        `"${word}" uses shell syntax other than \${VAR:-default}`,
      );
  });
});
