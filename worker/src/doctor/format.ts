import type { DoctorReport } from './doctor';

const MARK = { ok: 'ok  ', warning: 'WARN', failed: 'FAIL' } as const;

/** The report as text, for a terminal or a bug report. */
export function formatDoctorReport(r: DoctorReport): string {
  const lines: string[] = [];
  lines.push(`Cursor Cost Watch doctor — ${r.checkedAt}`);
  lines.push(`API ${r.baseUrl} · admin key ${r.adminKey} · analytics key ${r.analyticsKey}`);
  lines.push('');
  lines.push('Endpoints');
  for (const e of r.endpoints) {
    const http = e.http === null ? 'no answer' : `HTTP ${e.http}`;
    const ms = e.ms === null ? '' : ` · ${e.ms} ms`;
    const retries = e.retries ? ` · ${e.retries} retries` : '';
    lines.push(`  ${MARK[e.status]} ${e.endpoint.padEnd(34)} ${http}${ms} · auth ${e.auth}${retries}`);
    if (e.error) lines.push(`       ${e.error.slice(0, 300)}`);
    for (const s of e.shapeErrors.slice(0, 5)) lines.push(`       needed field ${s.path}: ${s.message}`);
    for (const d of e.drift) lines.push(`       drift ${d.field}: ${d.kind} (${d.message}), e.g. ${d.example}`);
  }
  lines.push('');
  lines.push(`Rate-limit headers seen: ${r.rateLimitHeadersSeen.length ? r.rateLimitHeadersSeen.join(', ') : 'none'}`);
  const ret = r.retention;
  lines.push(
    ret.daysBack === null
      ? `Usage events history: not measured (BACKFILL_DAYS=${ret.backfillDays})`
      : `Usage events history: back ${ret.daysBack} days (oldest around ${ret.oldestEventDay}; BACKFILL_DAYS=${ret.backfillDays}; ${ret.probes} probes)`,
  );
  if (r.warnings.length) {
    lines.push('');
    lines.push('Warnings');
    for (const w of r.warnings) lines.push(`  - ${w}`);
  }
  lines.push('');
  lines.push(r.ok ? 'Result: OK — collection can run' : 'Result: FAILED — see the endpoints marked FAIL');
  return lines.join('\n');
}
