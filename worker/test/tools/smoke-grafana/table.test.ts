import { type Check, exitCode, renderTable } from '../../../tools/smoke-grafana/table';

const c = (status: Check['status'], name = 'x'): Check => ({ step: 'health', name, status, detail: 'd' });

describe('the smoke report', () => {
  it('prints one aligned line per check and the totals', () => {
    const out = renderTable([
      c('PASS', 'Grafana answers /api/health'),
      c('WARN', 'a panel'),
      c('FAIL', 'x'.repeat(80)),
    ]);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^STATUS {2}STEP {12}CHECK {55}DETAIL$/);
    expect(lines[2]).toBe(`PASS    health          Grafana answers /api/health${' '.repeat(31)}  d`);
    expect(lines[4]).toContain(`${'x'.repeat(57)}…  d`);
    expect(lines.at(-1)).toBe('3 checks: 1 passed, 1 failed, 1 warnings');
  });

  it('exits 1 on any failure or when nothing ran, 0 with passes and warnings only', () => {
    expect(exitCode([c('PASS'), c('WARN')])).toBe(0);
    expect(exitCode([c('PASS'), c('FAIL')])).toBe(1);
    expect(exitCode([])).toBe(1);
  });
});
