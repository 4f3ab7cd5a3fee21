import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PostmasterPidFile {
  pid: number;
  port: number;
  /** "starting", "ready", "stopping" or "standby" (PostgreSQL ≥ 10). */
  status: string;
}

/**
 * The postmaster.pid a running PostgreSQL keeps in its data directory: line 1 the pid, line 4 the port, line 8 the
 * status (PostgreSQL's src/include/utils/pidfile.h, LOCK_FILE_LINE_*; written by miscinit.c, CreateLockFile and
 * AddToDataDirLockFile). Null when missing or unreadable.
 */
export function readPostmasterPid(dataDir: string): PostmasterPidFile | null {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}
