import { createHash } from 'node:crypto';
import type { UsageEvent } from '../cursor/schemas';

/**
 * Cursor's usage events carry no id. Two deliveries of the same call agree on who, when (to the millisecond),
 * which model and kind, the flags and the token counts, so their hash is the natural key. Cents are left out on
 * purpose: a restated price must not turn one call into two.
 */
export function eventDedupeKey(e: UsageEvent): string {
  const t = e.tokenUsage;
  const parts = [
    e.userEmail.toLowerCase(),
    e.timestamp,
    e.model,
    e.kind,
    e.maxMode ? 1 : 0,
    e.isHeadless ? 1 : 0,
    e.isTokenBasedCall ? 1 : 0,
    t?.inputTokens ?? '',
    t?.outputTokens ?? '',
    t?.cacheWriteTokens ?? '',
    t?.cacheReadTokens ?? '',
    e.conversationId ?? '',
    e.cloudAgentId ?? '',
    e.serviceAccountId ?? '',
    e.automationId ?? '',
  ];
  return createHash('sha256').update(parts.join('\u001f')).digest('hex');
}
