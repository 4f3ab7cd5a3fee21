/**
 * Resolves after `ms`, or at once when `signal` aborts or has aborted, or on cancel(); holds no process open, and leaves no listener
 * on `signal` once done (a worker's jobs would otherwise pile one up each).
 */
export function waitAtMost(ms: number, signal: AbortSignal): { done: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    timer.unref();
    cancel = finish;
    if (signal.aborted) return finish(); // an abort event already sent is not sent again
    signal.addEventListener('abort', finish, { once: true });
  });
  return { done, cancel };
}
