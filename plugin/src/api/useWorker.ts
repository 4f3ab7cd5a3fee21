import { useCallback, useEffect, useState } from 'react';
import { asWorkerError, type WorkerApiError } from './errors';

export interface WorkerState<T> {
  value?: T;
  loading: boolean;
  error?: WorkerApiError;
  reload: () => void;
}

interface Settled<T> {
  key: string;
  value?: T;
  error?: WorkerApiError;
}

/**
 * Runs a worker call whenever `deps` change (or on reload). Loading is "the last settled answer is for other deps",
 * so an older answer arriving late never overwrites a newer one, and the previous value stays on screen meanwhile.
 */
export function useWorker<T>(fn: () => Promise<T>, deps: unknown[]): WorkerState<T> {
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([...deps, tick]);
  const [settled, setSettled] = useState<Settled<T>>({ key: '' });
  useEffect(() => {
    let current = true;
    fn().then(
      (value) => current && setSettled({ key, value }),
      (err) => current && setSettled((s) => ({ key, value: s.value, error: asWorkerError(err) })),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` encodes the caller's deps
  }, [key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const loading = settled.key !== key;
  return { value: settled.value, error: loading ? undefined : settled.error, loading, reload };
}
