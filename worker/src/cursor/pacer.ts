/**
 * At most `limit` requests in any rolling minute, per endpoint: Cursor counts per team, per endpoint, per minute,
 * so keeping under the limit on our side makes 429s rare. A limit of 0 disables pacing.
 */
export class Pacer {
  private readonly sent: number[] = [];
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    public readonly limitPerMinute: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = defaultSleep,
  ) {}

  /** Resolves when a request may be sent; callers are served in order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const next = this.queue.then(() => this.waitTurn(signal));
    this.queue = next.catch(() => {});
    return next;
  }

  /** Pushes the window forward after a 429: no request until `ms` from now. */
  pause(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  private async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.blockedUntil) {
        await this.sleep(this.blockedUntil - now, signal);
        continue;
      }
      if (this.limitPerMinute <= 0) return;
      while (this.sent.length && this.sent[0] <= now - 60_000) this.sent.shift();
      if (this.sent.length < this.limitPerMinute) {
        this.sent.push(now);
        return;
      }
      await this.sleep(this.sent[0] + 60_000 - now + 5, signal);
    }
  }
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
