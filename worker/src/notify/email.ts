import nodemailer from 'nodemailer';
import type { Config } from '../config/config';
import { DeliveryError } from './http';
import type { AlertMessage, IncidentNotice } from './message';

export interface EmailPayload {
  subject: string;
  text: string;
  html: string;
  /** Message-ID header: the same message keeps the same id, so mail clients thread or drop a duplicate. */
  messageId: string;
}

const escHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLORS = { info: '#3274d9', warning: '#ff9830', critical: '#e02f44' } as const;

/** The facts of one incident, in the order both the text and the HTML show them. */
function facts(n: IncidentNotice): [string, string][] {
  return [
    ['Severity', `${n.severity}${n.escalatedFrom ? ` (escalated from ${n.escalatedFrom})` : ''}`],
    [n.scope === 'user' ? 'User' : 'Team', n.subject],
    ['Detector', n.detectorLabel],
    ['Observed', n.observedText],
    ['Expected', n.expectedText],
    ['Impact since onset', n.impactText],
    ['Why', n.whyText],
    ['Top model', n.topModel ?? 'n/a'],
    ['Onset', `${n.onsetAt.slice(0, 16).replace('T', ' ')} UTC`],
  ];
}

function textPart(m: AlertMessage): string {
  const lines = [m.title, ''];
  if (m.kind === 'test') lines.push('This is a test message sent from Cursor Cost Watch. No action is needed.', '');
  for (const n of m.incidents) {
    lines.push(`#${n.id} ${n.summary}`);
    for (const [k, v] of facts(n)) lines.push(`  ${k}: ${v}`);
    if (n.links.userDashboard) lines.push(`  User dashboard: ${n.links.userDashboard}`);
    if (n.links.teamDashboard) lines.push(`  Team dashboard: ${n.links.teamDashboard}`);
    lines.push(`  Incident: ${n.links.incident}`, '');
  }
  return lines.join('\n');
}

function htmlPart(m: AlertMessage): string {
  const cards = m.incidents.map((n) => {
    const rows = facts(n)
      .map(
        ([k, v]) =>
          `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${escHtml(k)}</th><td>${escHtml(v)}</td></tr>`,
      )
      .join('');
    const links = [
      n.links.userDashboard ? `<a href="${escHtml(n.links.userDashboard)}">User dashboard</a>` : '',
      n.links.teamDashboard ? `<a href="${escHtml(n.links.teamDashboard)}">Team dashboard</a>` : '',
      `<a href="${escHtml(n.links.incident)}">Open incident #${n.id}</a>`,
    ]
      .filter(Boolean)
      .join(' · ');
    return `<div style="border-left:4px solid ${COLORS[n.severity]};padding:8px 12px;margin:12px 0">
<p style="margin:0 0 6px"><strong>#${n.id} ${escHtml(n.summary)}</strong></p>
<table style="font-size:14px;border-collapse:collapse">${rows}</table>
<p style="margin:6px 0 0">${links}</p></div>`;
  });
  const test =
    m.kind === 'test'
      ? '<p><strong>This is a test message sent from Cursor Cost Watch. No action is needed.</strong></p>'
      : '';
  return `<!doctype html><html><body style="font-family:sans-serif"><h2>${escHtml(m.title)}</h2>${test}${cards.join('\n')}</body></html>`;
}

export function renderEmail(m: AlertMessage): EmailPayload {
  const id = m.key.replace(/[^A-Za-z0-9.@_-]/g, '.');
  return { subject: m.title, text: textPart(m), html: htmlPart(m), messageId: `<${id}@cursor-cost-watch>` };
}

/** Sends on SMTP to ALERT_EMAIL_TO, or to `to` (a developer's personal nudge). */
export async function sendEmail(config: Config, payload: EmailPayload, to?: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASS ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({
      from: config.ALERT_EMAIL_FROM,
      to: to ?? config.ALERT_EMAIL_TO,
      subject: payload.subject,
      text: payload.text,
      html: payload.html,
      messageId: payload.messageId,
    });
  } catch (err) {
    throw new DeliveryError(
      `SMTP ${config.SMTP_HOST}:${config.SMTP_PORT} refused the message: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    transport.close();
  }
}
