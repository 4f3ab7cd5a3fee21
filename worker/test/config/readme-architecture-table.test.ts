import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';

// The README's architecture table is the map a newcomer reads: every folder of the worker's src/, bench/ and tools/,
// every workspace and every migration is named in it, and every path it names exists.

function tableRows(): string[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| folder | what it holds |');
  const end = readme.indexOf('\n\n', start);
  return readme.slice(start, end).split('\n').slice(2);
}

/** The backticked code spans of the rows' first column, and every span of the whole rows. */
function named(): { folders: Set<string>; spans: string[] } {
  const rows = tableRows();
  const folders = new Set<string>();
  const spans: string[] = [];
  for (const row of rows) {
    const [first, rest] = row.split('|').slice(1, 3);
    for (const m of first.matchAll(/`([^`]+)`/g)) folders.add(m[1].replace(/\/$/, ''));
    for (const m of `${first}${rest}`.matchAll(/`([^`]+)`/g)) spans.push(m[1]);
  }
  return { folders, spans };
}

const dirs = (rel: string) =>
  fs
    .readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `${rel}/${d.name}`);

describe("README's architecture table matches the tree", () => {
  const { folders, spans } = named();
  const text = tableRows().join('\n');

  it('names every folder of worker/src (types/ aside: declaration files only)', () => {
    const missing = dirs('worker/src')
      .filter((d) => d !== 'worker/src/types')
      .filter((d) => ![...folders].some((n) => n === d || n.startsWith(`${d}/`)));
    expect(missing).toEqual([]);
  });

  it('names every workspace, the bench and tools folders, provisioning and sql', () => {
    for (const f of ['contract', 'simulator', 'plugin', 'provisioning', 'sql', 'worker/bench', 'worker/tools'])
      expect([...folders].some((n) => n === f || n.startsWith(`${f}/`) || n.startsWith(`${f},`))).toBe(true);
  });

  it('names every tool and every migration', () => {
    for (const tool of dirs('worker/tools')) expect(text).toContain(`tools/${path.basename(tool)}`);
    for (const sql of fs.readdirSync(path.join(REPO_ROOT, 'sql')).filter((f) => f.endsWith('.sql')))
      expect(text).toContain(sql);
  });

  it('every path it names exists', () => {
    const paths = spans.filter((s) => /^[\w.-]+(\/[\w.-]+)+\/?$/.test(s) && !s.includes('..'));
    const missing = paths.filter(
      (p) =>
        !fs.existsSync(path.join(REPO_ROOT, p)) &&
        // short forms: relative to worker/src, worker or the row's folder
        !['worker/src', 'worker'].some((base) => fs.existsSync(path.join(REPO_ROOT, base, p))) &&
        !dirs('worker/src').some((d) => fs.existsSync(path.join(REPO_ROOT, d, p))),
    );
    expect(paths.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });
});
