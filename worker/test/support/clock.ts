/**
 * For tests whose child processes run on the wall clock (a CLI or worker process has no clock to pin): such a test
 * reads "today" in the test and again in the child, so one that runs across midnight UTC compares two different
 * days. crash.test.ts failed so when it started 6-7 s before midnight (run under libfaketime, Dec 5 2026: 3,819
 * events stored against a truth of 2,819 counted from the next day). Started within `marginMs` of midnight, it waits
 * for the new day first.
 */
import { DAY_MS } from './sim';

export async function clearOfMidnight(marginMs = 90_000): Promise<void> {
  const toMidnight = DAY_MS - (Date.now() % DAY_MS);
  if (toMidnight < marginMs) await new Promise((resolve) => setTimeout(resolve, toMidnight + 1_000));
}
