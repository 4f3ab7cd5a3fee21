import { getEventListeners } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { waitAtMost } from '../../src/jobs/wait-at-most';

describe('waitAtMost', () => {
  it('resolves after its time, at an abort, or when cancelled, and leaves no listener on the signal', async () => {
    const shutdown = new AbortController();
    const t0 = performance.now();
    await waitAtMost(30, shutdown.signal).done;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);

    // A worker's jobs each wait once: nothing may pile up on the process's shutdown signal.
    for (let i = 0; i < 20; i++) {
      const limit = waitAtMost(60_000, shutdown.signal);
      await Promise.race([Promise.resolve(), limit.done]).finally(limit.cancel);
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);

    const pending = waitAtMost(60_000, shutdown.signal);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    shutdown.abort();
    await pending.done; // at once, not in a minute
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once on a signal that has already aborted', async () => {
    // Settled before the event loop's next turn, not in a minute.
    const { done } = waitAtMost(60_000, AbortSignal.abort());
    expect(await Promise.race([done.then(() => 'resolved'), setImmediate('still waiting')])).toBe('resolved');
  });
});
