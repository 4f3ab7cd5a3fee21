import type { ApiUsageEvent } from './wire';
import { dayOfMs } from './days';
import { MODELS } from './models';
import { hexId, mix, uuidLike } from './random';
import type { SimUser } from './roster';
import { KIND, KIND_NAMES, type Draft } from './user-day';

/** Renders one generated call as the API sends it (timestamp as a string, tokenUsage only when token-based). */
export function toApiEvent(seed: number, user: SimUser, d: Draft): ApiUsageEvent {
  const model = MODELS[d.model];
  const tokenBased = model.tokenBased && !d.errored && d.tokens !== null;
  const day = dayOfMs(d.ts);
  const event: ApiUsageEvent = {
    timestamp: String(d.ts),
    userEmail: user.email,
    conversationId: d.runaway
      ? uuidLike(seed, user.idx, 0x7a11, d.runaway.anomaly, day)
      : uuidLike(seed, user.idx, day, d.conversation),
    model: model.name,
    kind: KIND_NAMES[d.kind],
    maxMode: d.maxMode && model.tokenBased,
    requestsCosts: d.requestsCosts,
    isTokenBasedCall: tokenBased,
    isChargeable: d.kind !== KIND.errored,
    isHeadless: d.headless,
  };
  if (tokenBased && d.tokens) {
    event.tokenUsage = {
      inputTokens: d.tokens.input,
      outputTokens: d.tokens.output,
      cacheWriteTokens: d.tokens.cacheWrite,
      cacheReadTokens: d.tokens.cacheRead,
      totalCents: d.totalCents,
    };
  }
  event.chargedCents = d.cents;
  if (tokenBased) event.cursorTokenFee = d.feeCents;
  if (d.runaway) {
    if (d.runaway.cloudAgentId) event.cloudAgentId = d.runaway.cloudAgentId;
    if (d.runaway.serviceAccount) {
      event.serviceAccountId = d.runaway.serviceAccount.id;
      event.serviceAccountName = d.runaway.serviceAccount.name;
    }
  } else if (d.headless) {
    event.cloudAgentId = `bc-${hexId(24, seed, user.idx, day, d.conversation)}`;
    // Some background agents run under the team's CI service account.
    if (mix(seed, user.idx, day, d.conversation) % 3 === 0) {
      event.serviceAccountId = `sa_${hexId(16, seed, 0x5e7)}`;
      event.serviceAccountName = 'ci-bot';
    }
  }
  return event;
}
