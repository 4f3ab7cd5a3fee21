/** One line of the smoke report. WARN is shown but does not fail the run (e.g. a panel with no rows yet). */
export interface Check {
  step: string;
  name: string;
  status: 'PASS' | 'FAIL' | 'WARN';
  detail: string;
}

const WIDTH = { step: 14, name: 58 };

const clipTo = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/** A fixed-width pass/fail table, one check per line, then the totals. */
export function renderTable(checks: Check[]): string {
  const header = `${'STATUS'.padEnd(6)}  ${'STEP'.padEnd(WIDTH.step)}  ${'CHECK'.padEnd(WIDTH.name)}  DETAIL`;
  const lines = checks.map((c) =>
    `${c.status.padEnd(6)}  ${clipTo(c.step, WIDTH.step)}  ${clipTo(c.name, WIDTH.name)}  ${c.detail}`.trimEnd(),
  );
  const count = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  const summary = `${checks.length} checks: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('WARN')} warnings`;
  return [header, '-'.repeat(header.length), ...lines, '', summary].join('\n');
}

/** The process exit code: 1 when any check failed (or none ran), else 0. */
export function exitCode(checks: Check[]): number {
  return checks.length === 0 || checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}
