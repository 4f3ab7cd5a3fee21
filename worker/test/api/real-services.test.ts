import { SMTPServer } from 'smtp-server';
import { settingsPreviewSchema } from '@cursor-cost-watch/contract';
import { seedTeam } from './fixtures';
import { NOW, startTestApi, type TestApi } from './support';

/** The preview and channel test with the real detection backtest and the real email channel (a local SMTP server). */
let api: TestApi;
let smtp: SMTPServer;
const mails: string[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => {
        mails.push(text);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as { port: number }).port;
  api = await startTestApi(
    {},
    {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      ALERT_EMAIL_FROM: 'watch@example.com',
      ALERT_EMAIL_TO: 'lead@example.com',
    },
  );
  await seedTeam(api.t.db, NOW, { shiftEmail: 'carol@example.com', shiftDaysAgo: 3 });
});
afterAll(async () => {
  await api.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('previews settings with the real backtest: counts per detector for current and proposed values', async () => {
  const r = await api.call('POST', '/api/settings/preview', {
    body: {
      disabledDetectors: [
        'personal_spike',
        'sustained_drift',
        'model_shift',
        'team_zscore',
        'runaway_agent',
        'team_shift',
        'cycle_spend',
        'daily_requests',
        'daily_tokens',
      ],
    },
  });
  expect(r.status).toBe(200);
  const p = settingsPreviewSchema.parse(r.json);
  expect(p.days).toBe(30);
  expect(p.proposed.total).toBe(0);
  expect(p.current.total).toBeGreaterThan(0); // carol's shift to an expensive model is found with the stored settings
  // Every incident the stored settings open would close; none would open.
  expect(p.opened).toEqual([]);
  expect(p.closed).toHaveLength(p.current.total);
  expect(p.closed.map((i) => i.subject)).toContain('carol@example.com');
});

it('sends a real test email, and says which setting is missing for an unconfigured channel', async () => {
  const ok = await api.call('POST', '/api/notifications/test', { body: { channel: 'email' }, login: 'admin.ada' });
  expect(ok.status).toBe(200);
  expect(mails).toHaveLength(1);
  expect(mails[0]).toMatch(/TEST/);
  const slack = await api.call('POST', '/api/notifications/test', { body: { channel: 'slack' } });
  expect(slack.status).toBe(409);
  expect(slack.json.message).toMatch(/slack channel is not configured/i);
});
