import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import {
  acknowledgeIncident,
  createSnooze,
  deleteSnooze,
  IncidentInputError,
  IncidentNotFoundError,
  IncidentTransitionError,
  listIncidentEvents,
  listSnoozes,
  markIncidentsAlerted,
  recordDetections,
  reopenIncident,
  resolveIncident,
  SnoozeNotFoundError,
} from '../../src/incidents';
import { transition, type HumanAction } from '../../src/incidents/transitions';
import { INCIDENT_STATUSES } from '@cursor-cost-watch/contract';
import { anomaly, endOf, POLICY } from './fixtures';

describe('incident transitions and snoozes', () => {
  let t: TestDb;
  let id: number;
  beforeEach(async () => {
    t = await createTestDb('inctr');
    const r = await recordDetections(t.db, {
      asOf: '2026-11-20',
      anomalies: [anomaly({ asOf: '2026-11-20' })],
      evaluatedAt: endOf('2026-11-20'),
      settings: POLICY,
    });
    id = r.opened[0];
  });
  afterEach(async () => dropTestDb(t));

  it('acknowledges, resolves and reopens, keeping who did what in the timeline', async () => {
    const acked = await acknowledgeIncident(t.db, id, 'maria', 'looking');
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_by: 'maria' });
    const resolved = await resolveIncident(t.db, id, { reason: 'fixed', note: 'agent loop killed' }, 'maria');
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolution_reason: 'fixed',
      resolution_note: 'agent loop killed',
      resolved_by: 'maria',
    });
    const reopened = await reopenIncident(t.db, id, 'li', 'came back');
    expect(reopened).toMatchObject({ status: 'acknowledged', resolved_at: null, resolution_reason: null });
    const events = await listIncidentEvents(t.db, id);
    expect(events.map((e) => [e.action, e.actor, e.from_status, e.to_status])).toEqual([
      ['opened', 'detector', null, 'open'],
      ['acknowledged', 'maria', 'open', 'acknowledged'],
      ['resolved', 'maria', 'acknowledged', 'resolved'],
      ['reopened', 'li', 'resolved', 'acknowledged'],
    ]);
    expect(events[2].details).toEqual({ reason: 'fixed', note: 'agent loop killed' });
    expect(events[3].details).toMatchObject({ previousReason: 'fixed', note: 'came back' });
  });

  it('answers a missing incident with IncidentNotFoundError', async () => {
    await expect(acknowledgeIncident(t.db, 999_999, 'maria')).rejects.toThrow(IncidentNotFoundError);
    await expect(resolveIncident(t.db, 999_999, { reason: 'fixed' }, 'maria')).rejects.toThrow(
      'Incident 999999 does not exist',
    );
    await expect(reopenIncident(t.db, 999_999, 'maria')).rejects.toThrow(IncidentNotFoundError);
  });

  it('refuses changes the state does not allow with IncidentTransitionError', async () => {
    await expect(reopenIncident(t.db, id, 'maria')).rejects.toThrow(IncidentTransitionError);
    await acknowledgeIncident(t.db, id, 'maria');
    await expect(acknowledgeIncident(t.db, id, 'maria')).rejects.toThrow(
      /Cannot acknowledge incident \d+: it is acknowledged/,
    );
    await resolveIncident(t.db, id, { reason: 'false_positive' }, 'maria');
    await expect(resolveIncident(t.db, id, { reason: 'fixed' }, 'maria')).rejects.toThrow(
      /already resolved \(false_positive\)/,
    );
    await expect(acknowledgeIncident(t.db, id, 'maria')).rejects.toThrow(IncidentTransitionError);
  });

  it('allows exactly the table of from-status × action, each a 409-kind refusal otherwise', async () => {
    const allowed: Record<string, HumanAction[]> = {};
    for (const status of INCIDENT_STATUSES) {
      allowed[status] = [];
      for (const action of ['acknowledge', 'resolve', 'reopen'] as const) {
        await t.db
          .updateTable('incidents')
          .set({ status, resolution_reason: status === 'resolved' ? 'fixed' : null })
          .where('id', '=', id)
          .execute();
        const done = await transition(t.db, id, action, action === 'resolve' ? { reason: 'fixed' } : {}, 'maria').then(
          () => true,
          (e: unknown) => {
            if (e instanceof IncidentTransitionError) return false;
            throw e;
          },
        );
        if (done) allowed[status].push(action);
      }
    }
    expect(allowed).toEqual({
      open: ['acknowledge', 'resolve'],
      alerted: ['acknowledge', 'resolve'],
      acknowledged: ['resolve'],
      resolved: ['reopen'],
    });
  });

  it('refuses to reopen while a newer incident for the same subject and detector is open', async () => {
    await resolveIncident(t.db, id, { reason: 'fixed' }, 'maria', new Date('2026-11-21T01:00:00Z'));
    const next = await recordDetections(t.db, {
      asOf: '2026-11-23',
      anomalies: [anomaly({ asOf: '2026-11-23' })],
      evaluatedAt: endOf('2026-11-23'),
      settings: POLICY,
    });
    expect(next.opened).toHaveLength(1);
    await expect(reopenIncident(t.db, id, 'maria')).rejects.toThrow(
      new RegExp(`incident ${next.opened[0]} is already open`),
    );
  });

  it('rejects a resolution reason people may not choose, and an empty actor', async () => {
    await expect(resolveIncident(t.db, id, { reason: 'auto' as 'fixed' }, 'maria')).rejects.toThrow(IncidentInputError);
    await expect(acknowledgeIncident(t.db, id, '  ')).rejects.toThrow(/actor must name who/);
    const [row] = await t.db.selectFrom('incidents').select('status').execute();
    expect(row.status).toBe('open');
  });

  it('creates, lists and deletes snoozes, validating each field', async () => {
    const now = new Date('2026-11-20T00:00:00Z');
    const s = await createSnooze(
      t.db,
      { scope: 'team', until: '2026-12-01', reason: 'price change announced' },
      'lead',
      now,
    );
    expect(s).toMatchObject({ scope: 'team', subject: 'team', created_by: 'lead' });
    await createSnooze(
      t.db,
      { scope: 'user', subject: 'bo@example.com', until: '2026-11-21T00:00:00Z', reason: 'load test' },
      'lead',
      now,
    );
    expect(await listSnoozes(t.db)).toHaveLength(2);
    expect((await listSnoozes(t.db, { activeAt: new Date('2026-11-25T00:00:00Z') })).map((x) => x.id)).toEqual([s.id]);
    await expect(createSnooze(t.db, { scope: 'user', until: '2026-12-01', reason: 'x' }, 'lead', now)).rejects.toThrow(
      /subject must name the user/,
    );
    await expect(
      createSnooze(t.db, { scope: 'user', subject: 'a@b.c', until: 'soon', reason: 'x' }, 'lead', now),
    ).rejects.toThrow(/until must be an ISO date/);
    await expect(
      createSnooze(t.db, { scope: 'user', subject: 'a@b.c', until: '2026-11-01', reason: 'x' }, 'lead', now),
    ).rejects.toThrow(/until must be in the future/);
    await expect(
      createSnooze(t.db, { scope: 'org', subject: 'a@b.c', until: '2026-12-01', reason: '' }, 'lead', now),
    ).rejects.toThrow(/scope must be "user" or "team".*reason must say why/);
    expect(await deleteSnooze(t.db, s.id, 'lead')).toMatchObject({ id: s.id });
    await expect(deleteSnooze(t.db, s.id, 'lead')).rejects.toThrow(SnoozeNotFoundError);
    expect(await listSnoozes(t.db)).toHaveLength(1);
  });

  it('a message delivered after someone acknowledged the incident is not its first alert (MTTI never negative)', async () => {
    await acknowledgeIncident(t.db, id, 'maria');
    const marked = await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, [id], 'slack', 1));
    expect(marked).toEqual([]);
    const row = await t.db
      .selectFrom('incidents')
      .select(['alerted_at', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ alerted_at: null, status: 'acknowledged' });
  });

  it('stores a user snooze under the lowercase email the collector stores', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const s = await createSnooze(
      t.db,
      { scope: 'user', subject: 'Alice@Co.COM', until: '2026-12-01', reason: 'offsite' },
      'lead',
      now,
    );
    expect(s.subject).toBe('alice@co.com');
  });
});
