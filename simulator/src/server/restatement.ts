import type { ApiUsageEvent } from '../wire';

/**
 * Restated prices: Cursor revises the cents of recent events for a while after first serving them ("the last ~2
 * days change after first collection", shared/design/cursor-api.md, known traps). With this mode on, a share of the
 * events younger than `windowMs` (by the team's clock) is served at a provisional price; once older, at its final
 * one (the generator's). A collector that read early must read again to agree with the final numbers.
 */
export interface Restatement {
  /** Share of recent events served at a provisional price, 0..1. */
  share: number;
  /** How long an event's price stays provisional. */
  windowMs: number;
  /** Provisional price as a fraction of the final one (default 0.75). */
  factor?: number;
}

/** A stable number in [0, 1) for an event (FNV-1a of its user and time). */
function unitHash(e: ApiUsageEvent): number {
  let h = 0x811c9dc5;
  for (const ch of `${e.userEmail}|${String(e.timestamp)}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** The event as served at `nowMs`: its provisional price while young and in the restated share, else as is. */
export function servedEvent(e: ApiUsageEvent, nowMs: number, r: Restatement): ApiUsageEvent {
  const age = nowMs - Number(e.timestamp);
  if (age >= r.windowMs || unitHash(e) >= r.share) return e;
  const f = r.factor ?? 0.75;
  const round = (v: number) => Math.round(v * f * 1e6) / 1e6;
  return {
    ...e,
    ...(e.chargedCents != null ? { chargedCents: round(e.chargedCents) } : {}),
    ...(e.cursorTokenFee != null ? { cursorTokenFee: round(e.cursorTokenFee) } : {}),
  };
}
