/**
 * Resolves after `ms`, or at once when `signal` aborts, or on cancel(); holds no process open, and leaves no listener
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
    signal.addEventListener('abort', finish, { once: true });
    cancel = finish;
  });
  return { done, cancel };
}
