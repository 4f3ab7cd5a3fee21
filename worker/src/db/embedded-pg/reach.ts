import fs from 'node:fs';
import path from 'node:path';

/** The account a process runs as: what the kernel checks permission bits against. */
export interface Account {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

const X = 1;
const W = 2;
const R = 4;

/** Whether `who` has every permission in `want` (R|W|X bits) on a file with this stat, owner/group/other as the kernel decides. */
export function permits(stat: Pick<fs.Stats, 'uid' | 'gid' | 'mode'>, who: Account, want: number): boolean {
  if (who.uid === 0) return (want & X) === 0 || (stat.mode & 0o111) !== 0;
  const shift = stat.uid === who.uid ? 6 : stat.gid === who.gid || who.groups.includes(stat.gid) ? 3 : 0;
  return ((stat.mode >> shift) & want) === want;
}

/**
 * The first directory on the way to `target` (from `/` down, `target` included when it exists) that `who`
 * cannot enter, or null when every existing one can be entered. A missing tail is not a block: it gets created.
 */
export function firstBlockedDir(target: string, who: Account, stat = fs.statSync): string | null {
  const abs = path.resolve(target);
  const parts = abs.split(path.sep).filter(Boolean);
  let dir = path.parse(abs).root;
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) dir = path.join(dir, parts[i - 1]);
    let s: fs.Stats;
    try {
      s = stat(dir);
    } catch {
      return null;
    }
    if (s.isDirectory() && !permits(s, who, X)) return dir;
  }
  return null;
}

/** Whether `who` can read and run the program at `file` (its directories entered, the file r-x). */
export function canRun(file: string, who: Account): boolean {
  if (firstBlockedDir(path.dirname(file), who)) return false;
  try {
    return permits(fs.statSync(file), who, R | X);
  } catch {
    return false;
  }
}

export const PERM = { R, W, X };
