import { workerApi } from './client';
import { useWorker } from './useWorker';

/** The chargeback report for a billing cycle (the current one when not given). */
export function useChargeback(cycle?: string) {
  return useWorker(() => workerApi.chargeback(cycle), [cycle]);
}

/** The same report as CSV text, fetched on demand for a download. */
export function useChargebackCsv() {
  return workerApi.chargebackCsv;
}
