import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ObservedResponse } from './client';
import { hashText } from './drift';

/** Keys whose values name a person or a machine: removed from samples. */
const REMOVED_KEYS = new Set([
  'name',
  'userName',
  'displayName',
  'firstName',
  'lastName',
  'fullName',
  'serviceAccountName',
  'ip_address',
  'ipAddress',
  'user_agent',
  'userAgent',
]);
const EMAIL_RE = /^[^@\s]+@[^@\s]+$/;
/** Items kept per array: a sample shows the shape, not the team. */
export const SAMPLE_ITEMS = 20;

/** A body as a bug report may show it: emails hashed (the same person stays recognisable), names removed. */
export function redactSample(value: unknown): unknown {
  if (typeof value === 'string') return EMAIL_RE.test(value) ? `${hashText(value.toLowerCase())}@redacted` : value;
  if (Array.isArray(value)) return value.slice(0, SAMPLE_ITEMS).map(redactSample);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !REMOVED_KEYS.has(k))
        .map(([k, v]) => [k, redactSample(v)]),
    );
  return value;
}

const fileName = (endpoint: string) =>
  `${endpoint
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()}.json`;

/**
 * CURSOR_CAPTURE_DIR: the first successful JSON answer of each endpoint in this process is saved, redacted, as
 * `<dir>/<method>-<path>.json` (e.g. post-teams-filtered-usage-events.json), for bug reports.
 */
export function captureSamples(dir: string, now: () => Date = () => new Date()): (o: ObservedResponse) => void {
  const saved = new Set<string>();
  return (o) => {
    if (o.status !== 200 || saved.has(o.endpoint)) return;
    let body: unknown;
    try {
      body = JSON.parse(o.text);
    } catch {
      return; // a malformed page is retried; the next good one is saved
    }
    saved.add(o.endpoint);
    mkdirSync(dir, { recursive: true });
    const sample = {
      endpoint: o.endpoint,
      capturedAt: now().toISOString(),
      note: `emails hashed, names removed, arrays cut to ${SAMPLE_ITEMS} items`,
      body: redactSample(body),
    };
    writeFileSync(path.join(dir, fileName(o.endpoint)), `${JSON.stringify(sample, null, 2)}\n`);
  };
}
