import { SEVERITY_ICON } from './format';
import { postJson } from './http';
import type { AlertMessage, IncidentNotice } from './message';

/** Slack allows 50 blocks a message: a header, 4 blocks per incident for 10 incidents, and a footer. */
const MAX_INCIDENTS = 10;

export interface SlackPayload {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Slack's mrkdwn needs only these three escaped. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const md = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 150), emoji: true });

function incidentBlocks(n: IncidentNotice): Record<string, unknown>[] {
  const rise = n.escalatedFrom ? ` (escalated from ${n.escalatedFrom})` : '';
  const buttons = [
    ...(n.links.userDashboard
      ? [{ type: 'button', text: plain('User dashboard'), url: n.links.userDashboard, action_id: `dashboard_${n.id}` }]
      : []),
    ...(n.links.teamDashboard
      ? [{ type: 'button', text: plain('Team dashboard'), url: n.links.teamDashboard, action_id: `dashboard_${n.id}` }]
      : []),
    { type: 'button', text: plain('Open incident'), url: n.links.incident, action_id: `incident_${n.id}` },
  ];
  return [
    {
      type: 'section',
      text: md(
        `${SEVERITY_ICON[n.severity]} *${n.severity.toUpperCase()}${rise}* · *${esc(n.subject)}* · ${esc(n.detectorLabel)}\n${esc(n.summary)}`,
      ),
      fields: [
        md(`*Observed*\n${esc(n.observedText)}`),
        md(`*Expected*\n${esc(n.expectedText)}`),
        md(`*Impact since onset*\n${esc(n.impactText)}`),
        md(`*Top model*\n${esc(n.topModel ?? 'n/a')}`),
      ],
    },
    {
      type: 'context',
      elements: [
        md(`*Why:* ${esc(n.whyText)}  ·  onset ${n.onsetAt.slice(0, 16).replace('T', ' ')} UTC  ·  incident #${n.id}`),
      ],
    },
    { type: 'actions', elements: buttons },
    { type: 'divider' },
  ];
}

/** Block Kit: one message for every incident of the run, most severe first. */
export function renderSlack(m: AlertMessage): SlackPayload {
  const shown = m.incidents.slice(0, MAX_INCIDENTS);
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: plain(
        m.kind === 'test'
          ? 'TEST: Cursor Cost Watch'
          : m.kind === 'digest'
            ? 'Cursor cost daily digest'
            : 'Cursor cost alert',
      ),
    },
  ];
  blocks.push({ type: 'section', text: md(`*${esc(m.title)}*`) });
  for (const n of shown) blocks.push(...incidentBlocks(n));
  if (m.incidents.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [md(`…and ${m.incidents.length - shown.length} more incident(s): see the incidents page in Grafana.`)],
    });
  }
  if (m.kind === 'test')
    blocks.push({
      type: 'context',
      elements: [md('This is a test message sent from Cursor Cost Watch. No action is needed.')],
    });
  return { text: m.title, blocks };
}

export async function sendSlack(webhookUrl: string, payload: SlackPayload): Promise<void> {
  await postJson(webhookUrl, payload);
}
