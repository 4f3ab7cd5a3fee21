/**
 * Hostile event pages the simulator can serve on demand (faults), as the issue #10 campaign met them in the wild:
 * a page cut off mid-stream, a page far larger than any real one, a hasNextPage that never turns false, and events
 * no database can store.
 */
export type EventPageFault = 'malformed' | 'oversized' | 'endless' | 'poison';

type Page = {
  pagination: { numPages: number; currentPage: number; hasNextPage: boolean };
  usageEvents: Record<string, unknown>[];
  [k: string]: unknown;
};

/** The three poison kinds met in #10: a NUL in text, a timestamp no date holds, an event dated 2099. */
export function poisonEvent(n: number, like: Record<string, unknown> | undefined): Record<string, unknown> {
  const base = {
    ...(like ?? { userEmail: 'poison@example.com', model: 'gpt-5', kind: 'Usage-based', chargedCents: 1 }),
    conversationId: `poison-${n}`, // each poison event is distinct, so each is one quarantined row
  };
  switch (n % 3) {
    case 0:
      return { ...base, userEmail: `poison\u0000${n}@example.com` };
    case 1:
      return { ...base, timestamp: '99999999999999999999' };
    default:
      return { ...base, timestamp: String(Date.parse('2099-01-01T00:00:00Z') + n) };
  }
}

/** The page as served under `fault` (endless: the caller serves the last page's events past the end). */
export function hostilePage(page: Page, fault: EventPageFault, opts: { poisonN: number; oversizedBytes: number }) {
  if (fault === 'oversized') return { ...page, padding: 'x'.repeat(opts.oversizedBytes) };
  if (fault === 'endless') return { ...page, pagination: { ...page.pagination, hasNextPage: true } };
  if (fault === 'poison')
    return { ...page, usageEvents: [...page.usageEvents, poisonEvent(opts.poisonN, page.usageEvents[0])] };
  return page;
}
