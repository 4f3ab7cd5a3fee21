import { renderEmail } from '../../src/notify/email';
import { summarize } from '../../src/detection/report';
import { describeWhy, formatValue } from '../../src/notify/format';
import { buildMessage } from '../../src/notify/message';
import { renderSlack } from '../../src/notify/slack';
import { renderWebhook } from '../../src/notify/webhook';
import { notice } from './fixtures';

type Block = {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { url?: string; text: unknown }[];
};

describe('message rendering', () => {
  const two = buildMessage('alert', 'alert:slack:7@critical,8@warning', [
    notice({ id: 8, max_severity: 'warning', subject: 'bo@example.com', detector: 'model_shift', impact_cents: 2500 }),
    notice(),
  ]);

  it('groups a run into one Slack Block Kit message, most severe first, with links', () => {
    const p = renderSlack(two);
    const blocks = p.blocks as Block[];
    expect(blocks[0]).toMatchObject({ type: 'header' });
    expect(p.text).toBe('Cursor cost alert: 2 incidents, 1 critical, $100.00 above expected');
    const sections = blocks.filter((b) => b.type === 'section' && b.fields);
    expect(sections).toHaveLength(2);
    expect(sections[0].text?.text).toContain('*CRITICAL*');
    expect(sections[0].text?.text).toContain('ana+dev@example.com');
    expect(sections[0].text?.text).toContain('&lt;$15.00&gt;'); // mrkdwn escaped
    expect(sections[0].fields?.map((f) => f.text)).toEqual([
      '*Observed*\n$90.00',
      '*Expected*\n$15.00 (normal $8.00–$25.00)',
      '*Impact since onset*\n$75.00',
      '*Top model*\nclaude-4-opus',
    ]);
    const urls = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => e.url));
    expect(urls).toContain('https://grafana.example.com/d/cursor-user?var-email=ana%2Bdev%40example.com');
    expect(urls).toContain('https://grafana.example.com/a/cursorwatch-cost-app/incidents/7');
    const why = blocks.find((b) => b.type === 'context') as { elements: { text: string }[] };
    expect(why.elements[0].text).toContain('More requests than usual (volume ×5.0, cost per request ×1.1)');
  });

  it("keeps a large run within Slack's 50-block limit and says how many are left out", () => {
    const many = buildMessage(
      'alert',
      'k',
      Array.from({ length: 25 }, (_, i) => notice({ id: i + 1 })),
    );
    const p = renderSlack(many);
    expect(p.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(p.blocks)).toContain('…and 15 more incident(s)');
  });

  it('writes the same facts in the email text and HTML parts, escaped in HTML', () => {
    const e = renderEmail(two);
    expect(e.subject).toBe(two.title);
    for (const fact of [
      'ana+dev@example.com',
      'bo@example.com',
      '$75.00',
      '$15.00 (normal $8.00–$25.00)',
      'claude-4-opus',
      'max mode 25%',
      'https://grafana.example.com/a/cursorwatch-cost-app/incidents/8',
    ]) {
      expect(e.text).toContain(fact);
      expect(e.html).toContain(fact);
    }
    expect(e.text).toContain('<$15.00>');
    expect(e.html).toContain('&lt;$15.00&gt;');
    expect(e.messageId).toBe('<alert.slack.7@critical.8@warning@cursor-cost-watch>');
  });

  it('sends the webhook a JSON document with a stable id and the full incident', () => {
    const w = renderWebhook(two);
    expect(w).toMatchObject({ type: 'cursorwatch.alert', id: 'alert:slack:7@critical,8@warning', test: false });
    expect(w.incidents.map((i) => i.id)).toEqual([7, 8]);
    expect(w.incidents[0]).toMatchObject({
      subject: 'ana+dev@example.com',
      severity: 'critical',
      observed: 9000,
      expected: 1500,
      impactCents: 7500,
      unit: 'cents',
      topModel: 'claude-4-opus',
    });
  });

  it('links a team incident to the team dashboard instead of a user one', () => {
    const m = buildMessage('alert', 'k', [notice({ scope: 'team', subject: 'team', detector: 'team_shift' })]);
    const urls = JSON.stringify(renderSlack(m).blocks);
    expect(urls).toContain('https://grafana.example.com/d/cursor-overview');
    expect(urls).not.toContain('cursor-user');
    expect(renderEmail(m).text).toContain('Team dashboard: https://grafana.example.com/d/cursor-overview');
  });

  it('says "escalated" when the message announces a rise', () => {
    const m = buildMessage('alert', 'k', [{ ...notice(), escalatedFrom: 'warning' }]);
    expect(m.title).toContain('escalated to critical');
    expect(JSON.stringify(renderSlack(m).blocks)).toContain('CRITICAL (escalated from warning)');
  });

  it('formats each unit and explains a model-mix shift', () => {
    expect(formatValue(123456, 'cents')).toBe('$1,235'); // whole dollars from $1,000, as everywhere
    expect(formatValue(1250, 'cents')).toBe('$12.50');
    expect(formatValue(1234, 'requests')).toBe('1,234 requests');
    expect(formatValue(5_200_000, 'tokens')).toBe('5.2M tokens');
    expect(formatValue(0.45, 'share')).toBe('45%');
    expect(
      describeWhy(
        { driver: 'model_mix', premiumShareBefore: 0.05, premiumShareAfter: 0.45, headlessShare: 0.6 },
        'gpt-5-high',
      ),
    ).toBe(
      'A shift to expensive models (expensive models 5% → 45% of spend); top model gpt-5-high; headless/agents 60%.',
    );
    expect(describeWhy({ limit: 500, driver: 'volume', volumeFactor: 2, newUser: true }, null, 'requests')).toBe(
      'Over the limit of 500 requests; new user, compared with the team; more requests than usual (volume ×2.0).',
    );
    expect(describeWhy({ limit: 50 }, null, 'cents')).toBe('Over the limit of $50.00.');
  });

  it('says "new — no history to compare" for a developer without a baseline, never a ratio against zero', () => {
    const why = { driver: 'volume' as const, volumeFactor: 1e6, costPerRequestFactor: 1e6, topModel: null };
    const slack = describeWhy(why, null);
    expect(slack).toBe('New — no history to compare; more requests than usual.');
    expect(slack).not.toMatch(/1000000|×1e/);
    const line = summarize({
      scope: 'user',
      subject: 'newbie@example.com',
      detector: 'personal_spike',
      severity: 'warning',
      asOf: '2026-11-20',
      onsetAt: '2026-11-20T00:00:00.000Z',
      observed: 250_000,
      expected: 0,
      bandLow: null,
      bandHigh: null,
      unit: 'cents',
      impactCents: 250_000,
      topModel: null,
      why: { ...why, topModelShare: 0, maxModeShare: 0, headlessShare: 0 },
    } as Parameters<typeof summarize>[0]);
    expect(line).toContain('new — no history to compare');
    expect(line).not.toContain('× the usual');
    expect(line).toContain('$2,500 on 2026-11-20');
    // With a baseline the ratio is still shown.
    expect(describeWhy({ ...why, volumeFactor: 2.5, costPerRequestFactor: 1 }, null)).toContain('volume ×2.5');
  });
});
