import type { SpendLimitChangeResult, SpendLimitInfo, TimelineEntry } from '@cursor-cost-watch/contract';

/** What GET /api/spend-limits/:email answers for carol (the fixtures' incident subject). */
export function spendLimitInfo(over: Partial<SpendLimitInfo> = {}): SpendLimitInfo {
  return {
    email: 'carol@example.com',
    name: 'Carol Diaz',
    enabled: true,
    disabledReason: null,
    cycleStart: '2026-11-01T00:00:00.000Z',
    cycleEnd: '2026-12-01T00:00:00.000Z',
    cycleSpendCents: 31_000,
    cycleOverallSpendCents: 33_000,
    forecastCents: 80_500,
    forecastExplanation:
      '$310.00 spent so far + $47.14 a day (average of the last 7 complete days) × 10.5 days left until 2026-12-01 = $805.00',
    limit: {
      known: true,
      dollars: 200,
      source: 'cursor',
      asOf: '2026-11-20T11:00:00.000Z',
      explanation:
        'As Cursor reported it (/teams/spend monthlyLimitDollars) at the collection of 2026-11-20 11:00 UTC.',
    },
    suggestion: {
      dollars: 675,
      usualCycleCents: 45_000,
      factor: 1.5,
      explanation:
        'Usual cycle spend $450.00: average daily spend $15.00 over the 28 days before the anomaly began (2026-10-20 – 2026-11-16, quiet days included) × 30 days in the billing cycle. Suggested limit: × 1.5 (setting "spendLimitSuggestionFactor"), rounded up to whole dollars (at least $1) = $675.',
    },
    changes: [],
    ...over,
  };
}

export function spendLimitResult(newDollars: number | null = 675, id = 5): SpendLimitChangeResult {
  return {
    change: {
      id,
      at: '2026-11-20T12:00:00.000Z',
      actor: 'admin',
      email: 'carol@example.com',
      incidentId: 1,
      oldDollars: 200,
      oldKnown: true,
      newDollars,
      reason: 'runaway agent',
      cursorMessage: `Spend limit for carol@example.com set to ${newDollars === null ? 'none' : `$${newDollars}`}`,
      undoOf: null,
      undoneBy: null,
    },
    cursor: {
      outcome: 'success',
      message: `Spend limit for carol@example.com set to ${newDollars === null ? 'none' : `$${newDollars}`}`,
    },
  };
}

/** A spend-limit change as the incident timeline shows it (worker/src/api/spend-limit-apply.ts). */
export function limitEvent(id: number, changeId: number, over: Record<string, unknown> = {}): TimelineEntry {
  return {
    id,
    at: `2026-11-20T12:0${id % 10}:00.000Z`,
    actor: 'admin',
    action: 'spend_limit_changed',
    fromStatus: null,
    toStatus: null,
    details: {
      changeId,
      email: 'carol@example.com',
      oldDollars: 200,
      oldKnown: true,
      newDollars: 675,
      reason: 'runaway agent',
      undoOf: null,
      note: 'Spend limit of carol@example.com: $200 → $675. runaway agent',
      ...over,
    },
  };
}
