import { passDay, passTime } from '../../bench/evaluation/incidents-replay';
import { toldFrom } from '../../bench/evaluation/told';
import type { Episode } from '../../src/detection/episodes';
import type { WebhookPayload } from '../../src/notify/webhook';

/** How bench:detect-incidents --notify reads the messages a webhook received (bench/evaluation/told.ts). */
const episode = (subject: string, firstDay: string): Episode => ({
  scope: 'user',
  subject,
  detector: 'sustained_drift',
  firstDay,
  lastDay: '2026-11-20',
  onset: firstDay,
});

/** A message of the pass of `day` naming [id, escalatedFrom] pairs. */
const message = (key: string, day: string, named: [number, string | null][], type = 'cursorwatch.alert') =>
  ({
    type,
    id: key,
    title: key,
    generatedAt: passTime(day).toISOString(),
    test: false,
    incidents: named.map(([id, escalatedFrom]) => ({
      id,
      escalatedFrom,
      severity: escalatedFrom ? 'critical' : 'info',
    })),
  }) as unknown as WebhookPayload;

describe('toldFrom', () => {
  const recorded = [
    { id: 1, episode: episode('ana@example.com', '2026-11-02') },
    { id: 2, episode: episode('bo@example.com', '2026-11-02') },
    { id: 3, episode: episode('cy@example.com', '2026-11-05') },
  ];
  // Delivered out of order (four at a time), the first message twice, and a digest that is no alert.
  const received = [
    message('m3', '2026-11-06', [[1, 'info']]),
    message('m1', '2026-11-02', [[1, null]]),
    message('m2', '2026-11-04', [
      [2, null],
      [99, null],
    ]),
    message('m1', '2026-11-02', [[1, null]]),
    message('d1', '2026-11-06', [[3, null]], 'cursorwatch.digest'),
  ];
  const told = toldFrom(received, recorded, passDay);

  it('counts each message once, and a second delivery of the same id as a duplicate', () => {
    expect([told.messages, told.duplicates]).toEqual([3, 1]);
  });

  it('tells an incident from the earliest message naming it, whatever order they came in', () => {
    expect(told.toldOn).toEqual(
      new Map([
        [1, '2026-11-02'],
        [2, '2026-11-04'],
        [99, '2026-11-04'],
      ]),
    );
    expect(told.episodes.map((e) => [e.subject, e.firstDay])).toEqual([
      ['ana@example.com', '2026-11-02'],
      ['bo@example.com', '2026-11-04'],
    ]);
  });

  it('separates announcements from escalations, and names what was told late, never, or is unknown', () => {
    expect([told.announced, told.escalations]).toEqual([3, 1]);
    expect(told.escalationsOf.get(told.episodes[0])).toBe(1);
    expect(told.escalationsOf.get(told.episodes[1])).toBe(0);
    expect(told.toldLater).toEqual([{ episode: recorded[1].episode, toldDay: '2026-11-04' }]);
    expect(told.neverTold).toEqual([recorded[2].episode]);
    expect(told.unknownIds).toEqual([99]);
  });
});
