import type { DayEffects, ExtraBatch } from './anomalies';
import { DAY_MS, dayStartMs, isWeekend } from './days';
import {
  CENTS_PER_REQUEST_UNIT,
  MODEL_INDEX,
  MODELS,
  roundTo,
  tokenCents,
  tokenFeeCents,
  type TokenCounts,
} from './models';
import { between, logNormal, normal, pickWeighted, STREAM, streamRng, type Rng } from './random';
import type { SimUser } from './roster';

export const FEATURE = { agent: 0, chat: 1, composer: 2, cmdk: 3 } as const;
const FEATURE_WEIGHTS = [0.55, 0.15, 0.15, 0.15];
export const KIND = { included: 0, usageBased: 1, errored: 2 } as const;
export const KIND_NAMES = ['Included in Business', 'Usage-based', 'Errored, Not Charged'] as const;

/** One generated call, before it is rendered as an API event (rendering is deferred to the page being served). */
export interface Draft {
  ts: number;
  feature: number;
  model: number;
  maxMode: boolean;
  tokens: TokenCounts | null;
  totalCents: number;
  feeCents: number;
  /** chargedCents of the event. */
  cents: number;
  /** What this call would have cost without any anomaly (0 for calls an anomaly added). */
  baseCents: number;
  requestsCosts: number;
  errored: boolean;
  headless: boolean;
  extra: boolean;
  /** Runaway agent calls carry the anomaly's agent; ordinary headless calls get one per conversation. */
  runaway: ExtraBatch | null;
  conversation: number;
  linesAdded: number;
  linesDeleted: number;
  acceptedLinesAdded: number;
  acceptedLinesDeleted: number;
  accepted: boolean;
  /** Assigned by the team once the user's spend earlier in the billing cycle is known. */
  kind: number;
  /** The drawn size of the call before it is scaled to a model, so a call can be re-priced as another model. */
  raw: TokenCounts;
  /** Request units when billed per request. */
  units: number;
}

export interface GeneratedDay {
  /** Sorted by timestamp ascending, timestamps strictly increasing (a user never has two calls in one ms). */
  drafts: Draft[];
  total: number;
  baseTotal: number;
  tabsShown: number;
  tabsAccepted: number;
  bugbot: number;
}

interface DraftStyle {
  weights: readonly number[];
  maxModeProb: number;
  headlessProb: number;
}

const WEEKEND_ACTIVE = 0.25;
const WEEKEND_VOLUME = 0.6; // × WEEKEND_ACTIVE ≈ 15% of a workday
const WORKDAY_ACTIVE = 0.92;

/** Draws one call. Always the same number of draws per call, whatever the outcome. */
function drawCall(rng: Rng, user: SimUser, dayStart: number, style: DraftStyle, ts: number | null): Draft {
  const offset = user.centerMs + user.spreadMs * normal(rng);
  const feature = pickWeighted(rng, FEATURE_WEIGHTS);
  const model = pickWeighted(rng, style.weights);
  const maxMode = rng() < style.maxModeProb;
  const contextScale = between(rng, 2, 4);
  const raw: TokenCounts = {
    input: logNormal(rng, 1500, 0.8),
    output: logNormal(rng, 700, 0.8),
    cacheRead: logNormal(rng, 25_000, 0.9),
    cacheWrite: 0,
  };
  const writeRoll = rng();
  const writeSize = logNormal(rng, 4000, 0.8);
  if (writeRoll < 0.35) raw.cacheWrite = writeSize;
  if (maxMode) {
    raw.input *= contextScale;
    raw.cacheRead *= contextScale;
    raw.cacheWrite *= contextScale;
  }
  const requestUnits = between(rng, 0.025, 0.25);
  const errored = rng() < 0.004;
  const headless = rng() < style.headlessProb && feature === FEATURE.agent;
  const linesAdded = Math.round(logNormal(rng, 18, 1));
  const linesDeleted = Math.round(logNormal(rng, 5, 1));
  const acceptance = rng();
  const applies = feature === FEATURE.agent || feature === FEATURE.composer || feature === FEATURE.cmdk;
  const accepted = applies && acceptance < 0.78;
  const draft: Draft = {
    ts: ts ?? dayStart + Math.min(DAY_MS - 60_000, Math.max(0, Math.round(offset))),
    feature,
    model,
    maxMode,
    tokens: null,
    totalCents: 0,
    feeCents: 0,
    cents: 0,
    baseCents: 0,
    requestsCosts: 0,
    errored,
    headless,
    extra: false,
    runaway: null,
    conversation: 0,
    linesAdded: applies ? linesAdded : 0,
    linesDeleted: applies ? linesDeleted : 0,
    acceptedLinesAdded: accepted ? linesAdded : 0,
    acceptedLinesDeleted: accepted ? linesDeleted : 0,
    accepted,
    kind: errored ? KIND.errored : KIND.included,
    raw,
    units: requestUnits,
  };
  return draft;
}

/** Prices the call as `model` (tokens scaled to the model), optionally at a changed price. Returns chargedCents. */
function price(draft: Draft, model: number, priceMultiplier: number, write: boolean): number {
  const { raw, units } = draft;
  const m = MODELS[model];
  let tokens: TokenCounts | null = null;
  let totalCents = 0;
  let feeCents = 0;
  let cents = 0;
  let requestsCosts = 0;
  if (draft.errored) {
    // An errored call is free.
  } else if (!m.tokenBased) {
    cents = roundTo(units * CENTS_PER_REQUEST_UNIT * priceMultiplier, 5);
    requestsCosts = roundTo(units, 3);
  } else {
    tokens = {
      input: Math.max(1, Math.round(raw.input * m.tokenScale)),
      output: Math.max(1, Math.round(raw.output * m.tokenScale)),
      cacheWrite: Math.round(raw.cacheWrite * m.tokenScale),
      cacheRead: Math.round(raw.cacheRead * m.tokenScale),
    };
    totalCents = roundTo(tokenCents(m, tokens, priceMultiplier), 5);
    feeCents = roundTo(tokenFeeCents(tokens), 5);
    cents = roundTo(totalCents + feeCents, 5);
    requestsCosts = roundTo(cents / CENTS_PER_REQUEST_UNIT, 2);
  }
  if (write) {
    draft.model = model;
    draft.tokens = tokens;
    draft.totalCents = totalCents;
    draft.feeCents = feeCents;
    draft.cents = cents;
    draft.requestsCosts = requestsCosts;
  }
  return cents;
}

const PRICED: TokenCounts = Object.freeze({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });

const multiplierFor = (model: number, effects: DayEffects): number =>
  MODELS[model].tier === 'mid' ? effects.midPriceMultiplier : 1;

const PREMIUM_STYLE_WEIGHT = 0.4;

function extraDrafts(seed: number, user: SimUser, day: number, batch: ExtraBatch, weekend: boolean): Draft[] {
  const rng = streamRng(seed, STREAM.extras, user.idx, day, batch.anomaly);
  const dayStart = dayStartMs(day);
  const noise = logNormal(rng, 1, 0.2);
  if (batch.style === 'runaway') {
    const count = Math.round(batch.runawayPerDay * noise);
    // The agent loops for most of the day from some hour on, evenly: machines do not keep office hours.
    const from = between(rng, 0, 8) * 3_600_000;
    const span = between(rng, 10, 15) * 3_600_000;
    const weights = new Array<number>(MODELS.length).fill(0);
    weights[MODEL_INDEX.sonnet] = 0.7;
    weights[MODEL_INDEX.opus] = 0.3;
    const style: DraftStyle = { weights, maxModeProb: 0.85, headlessProb: 1 };
    const out: Draft[] = [];
    for (let i = 0; i < count; i++) {
      const ts = dayStart + Math.round(from + (span * (i + rng())) / count);
      const d = drawCall(rng, user, dayStart, style, ts);
      d.feature = FEATURE.agent;
      d.headless = true;
      d.runaway = batch;
      out.push(d);
    }
    return out;
  }
  const expected = user.rate * (weekend ? WEEKEND_ACTIVE * WEEKEND_VOLUME : 1) * (batch.multiplier - 1);
  const count = Math.max(0, Math.round(expected * noise));
  let style: DraftStyle = {
    weights: user.modelWeights,
    maxModeProb: user.maxModeProb,
    headlessProb: user.headlessProb,
  };
  if (batch.style === 'premium') {
    const total = user.modelWeights.reduce((a, b) => a + b, 0);
    const weights = user.modelWeights.map((w) => (w / total) * (1 - PREMIUM_STYLE_WEIGHT));
    weights[MODEL_INDEX.opus] += PREMIUM_STYLE_WEIGHT;
    style = { weights, maxModeProb: Math.max(0.4, user.maxModeProb), headlessProb: user.headlessProb };
  }
  const out: Draft[] = [];
  for (let i = 0; i < count; i++) out.push(drawCall(rng, user, dayStart, style, null));
  return out;
}

/**
 * Generates one user's whole day (membership is the caller's concern), deterministically from
 * (seed, user, day). Normal calls come from their own stream; calls added by anomalies come from per-anomaly
 * streams and model/price changes only re-price normal calls, so `baseTotal` is exactly the same day without
 * the anomalies.
 */
export function generateUserDay(seed: number, user: SimUser, day: number, effects: DayEffects): GeneratedDay {
  const rng = streamRng(seed, STREAM.events, user.idx, day);
  const weekend = isWeekend(day);
  const activeRoll = rng();
  const volumeNoise = logNormal(rng, 1, 0.3);
  const active = activeRoll < (weekend ? WEEKEND_ACTIVE : WORKDAY_ACTIVE);
  const count = active ? Math.max(1, Math.round(user.rate * (weekend ? WEEKEND_VOLUME : 1) * volumeNoise)) : 0;
  const dayStart = dayStartMs(day);
  const style: DraftStyle = {
    weights: user.modelWeights,
    maxModeProb: user.maxModeProb,
    headlessProb: user.headlessProb,
  };

  const drafts: Draft[] = [];
  const shiftRng = effects.premiumShift > 0 ? streamRng(seed, STREAM.modelShift, user.idx, day) : null;
  let baseTotal = 0;
  for (let i = 0; i < count; i++) {
    const d = drawCall(rng, user, dayStart, style, null);
    const baseCents = price(d, d.model, 1, true);
    let model = d.model;
    if (shiftRng && shiftRng() < effects.premiumShift && MODELS[model].tier !== 'premium') model = MODEL_INDEX.opus;
    // Re-priced only when an anomaly changes the model or its price.
    if (model !== d.model || multiplierFor(model, effects) !== 1) price(d, model, multiplierFor(model, effects), true);
    d.baseCents = baseCents;
    baseTotal += baseCents;
    drafts.push(d);
  }
  for (const batch of effects.extras) {
    for (const d of extraDrafts(seed, user, day, batch, weekend)) {
      price(d, d.model, multiplierFor(d.model, effects), true);
      d.extra = true;
      drafts.push(d);
    }
  }

  drafts.sort((a, b) => a.ts - b.ts);
  const convRng = streamRng(seed, STREAM.conversations, user.idx, day);
  let conversation = 0;
  let total = 0;
  let lastTs = -1;
  let lastHumanTs = -Infinity;
  for (const d of drafts) {
    d.raw = PRICED; // priced for good: drop the draw, generated days are cached in bulk
    if (d.ts <= lastTs) d.ts = lastTs + 1;
    lastTs = d.ts;
    if (!d.runaway) {
      // A new conversation after a pause or now and then; runaway calls all belong to their agent's run.
      if (d.ts - lastHumanTs > 20 * 60_000 || convRng() < 0.15) conversation++;
      lastHumanTs = d.ts;
      d.conversation = conversation;
    }
    total += d.cents;
  }

  const statsRng = streamRng(seed, STREAM.dayStats, user.idx, day);
  const tabsShown = count > 0 ? Math.round(user.tabRate * (count / user.rate) * between(statsRng, 0.7, 1.3)) : 0;
  const tabsAccepted = Math.round(tabsShown * between(statsRng, 0.2, 0.4));
  const bugbot = count > 0 && statsRng() < 0.05 ? 1 + Math.floor(statsRng() * 3) : 0;
  return { drafts, total, baseTotal, tabsShown, tabsAccepted, bugbot };
}
