import type { RunResult } from './context';

const cell = (got: number | null, expected: number | null, fmt = (n: number) => String(n)) =>
  got === null ? '—' : `${fmt(got)} (${fmt(expected ?? 0)})${got === expected ? '' : ' ✗'}`;

/** True when every measured figure equals its expected value and nothing else went wrong. */
export function passed(r: RunResult): boolean {
  return (
    r.lost === 0 &&
    r.duplicated === 0 &&
    r.quarantined === r.expectedQuarantined &&
    r.centsOff === 0 &&
    (r.alertsLost ?? 0) === 0 &&
    (r.alertsDuplicated ?? 0) === 0 &&
    r.crashes === 0 &&
    r.problems.length === 0
  );
}

/** The one table the campaign prints: measured value, the expected one in brackets, ✗ where they differ. */
export function formatTable(results: RunResult[]): string {
  const head = [
    'run',
    'kills',
    'events lost',
    'duplicated',
    'quarantined',
    'cents off',
    'alerts lost',
    'alerts dup',
    'exits',
    'wall',
  ];
  const rows = results.map((r) => [
    r.name,
    String(r.kills),
    cell(r.lost, 0),
    cell(r.duplicated, 0),
    cell(r.quarantined, r.expectedQuarantined),
    cell(r.centsOff, 0, (n) => n.toFixed(2)),
    cell(r.alertsLost, r.alertsLost === null ? null : 0),
    cell(r.alertsDuplicated, r.alertsDuplicated === null ? null : 0),
    cell(r.crashes, 0),
    `${Math.round(r.wallMs / 1000)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  out.push('', 'Measured (expected); ✗ where they differ. exits: processes under test that died on their own.');
  for (const r of results) {
    out.push(`- ${r.name}: ${r.notes.join('; ')}`);
    for (const p of r.problems) out.push(`  ✗ ${p}`);
  }
  return out.join('\n');
}
