import { CHARGEBACK_CSV_COLUMNS, type ChargebackReport, type ChargebackModel } from '@cursor-cost-watch/contract';

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text that a spreadsheet would
 * run as a formula (starting with = + - @, tab or CR: OWASP "CSV Injection") gets a leading apostrophe, since
 * developer and group names come from Cursor, not from us. Numbers (and amounts written as "-12.50") stay as they are.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number' || /^-?\d+(\.\d+)?$/.test(value)) return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const usd = (cents: number) => (Math.round(cents) / 100).toFixed(2);
const models = (m: ChargebackModel[]) => m.map((x) => `${x.model} ${x.sharePct.toFixed(1)}%`).join('; ');

/**
 * The report as CSV (CRLF line ends, RFC 4180): a header (CHARGEBACK_CSV_COLUMNS), a `team` row, then each group's
 * row followed by its developers' rows. Amounts in US dollars rounded to the cent, shares in percent.
 */
export function chargebackCsv(r: ChargebackReport): string {
  const lines: (string | number)[][] = [[...CHARGEBACK_CSV_COLUMNS]];
  const base = (level: string, group: string, email: string, name: string) => [
    r.cycle,
    r.cycleEnd,
    level,
    group,
    email,
    name,
  ];
  lines.push([
    ...base('team', '', '', ''),
    usd(r.team.totalCents),
    usd(r.team.includedCents),
    usd(r.team.usageBasedCents),
    r.team.requests,
    100,
    '',
    models(r.team.topModels),
  ]);
  for (const g of r.groups) {
    lines.push([
      ...base('group', g.name, '', ''),
      usd(g.totalCents),
      usd(g.includedCents),
      usd(g.usageBasedCents),
      g.requests,
      g.shareOfTeamPct,
      100,
      models(g.topModels),
    ]);
    for (const d of g.developers)
      lines.push([
        ...base('developer', g.name, d.email, d.name ?? ''),
        usd(d.totalCents),
        usd(d.includedCents),
        usd(d.usageBasedCents),
        d.requests,
        d.shareOfTeamPct,
        d.shareOfGroupPct,
        models(d.topModels),
      ]);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
