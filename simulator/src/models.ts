/**
 * The model catalogue with realistic list prices (dollars per million tokens), so costs land where real ones do:
 * cheap models ≈ 0.1–1¢ a request, mid models a few ¢ to ~20¢, premium 30–150¢, max mode multiplying the context.
 */
export type ModelTier = 'cheap' | 'mid' | 'premium';

export interface SimModel {
  name: string;
  tier: ModelTier;
  /** false: billed per request (requestsCosts × 4¢), no tokenUsage. */
  tokenBased: boolean;
  inputPerM: number;
  outputPerM: number;
  cacheWritePerM: number;
  cacheReadPerM: number;
  /** Premium models are used for bigger tasks: their token counts are scaled up. */
  tokenScale: number;
}

export const MODELS: readonly SimModel[] = [
  {
    name: 'cursor-small',
    tier: 'cheap',
    tokenBased: false,
    inputPerM: 0,
    outputPerM: 0,
    cacheWritePerM: 0,
    cacheReadPerM: 0,
    tokenScale: 0.5,
  },
  {
    name: 'gpt-5-mini',
    tier: 'cheap',
    tokenBased: true,
    inputPerM: 0.25,
    outputPerM: 2,
    cacheWritePerM: 0.25,
    cacheReadPerM: 0.025,
    tokenScale: 0.6,
  },
  {
    name: 'claude-4.5-sonnet',
    tier: 'mid',
    tokenBased: true,
    inputPerM: 3,
    outputPerM: 15,
    cacheWritePerM: 3.75,
    cacheReadPerM: 0.3,
    tokenScale: 1,
  },
  {
    name: 'gpt-5',
    tier: 'mid',
    tokenBased: true,
    inputPerM: 1.25,
    outputPerM: 10,
    cacheWritePerM: 1.25,
    cacheReadPerM: 0.125,
    tokenScale: 1,
  },
  {
    name: 'gemini-2.5-pro',
    tier: 'mid',
    tokenBased: true,
    inputPerM: 1.25,
    outputPerM: 10,
    cacheWritePerM: 1.625,
    cacheReadPerM: 0.31,
    tokenScale: 1,
  },
  {
    name: 'claude-4.1-opus',
    tier: 'premium',
    tokenBased: true,
    inputPerM: 15,
    outputPerM: 75,
    cacheWritePerM: 18.75,
    cacheReadPerM: 1.5,
    tokenScale: 2,
  },
];

export const MODEL_INDEX = {
  cursorSmall: 0,
  gpt5Mini: 1,
  sonnet: 2,
  gpt5: 3,
  gemini: 4,
  opus: 5,
} as const;

export const CHEAP_MODELS = [MODEL_INDEX.cursorSmall, MODEL_INDEX.gpt5Mini];
export const MID_MODELS = [MODEL_INDEX.sonnet, MODEL_INDEX.gpt5, MODEL_INDEX.gemini];

/** Cents one request unit costs (requestsCosts is in request units). */
export const CENTS_PER_REQUEST_UNIT = 4;
/** Cursor's token fee on token-based calls, dollars per million tokens. */
export const CURSOR_TOKEN_FEE_PER_M = 0.25;

export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Cents for the tokens at list price times `priceMultiplier` (a team-wide price change). */
export function tokenCents(model: SimModel, t: TokenCounts, priceMultiplier: number): number {
  const dollars =
    (t.input * model.inputPerM +
      t.output * model.outputPerM +
      t.cacheWrite * model.cacheWritePerM +
      t.cacheRead * model.cacheReadPerM) /
    1e6;
  return dollars * 100 * priceMultiplier;
}

export const tokenFeeCents = (t: TokenCounts): number =>
  ((t.input + t.output + t.cacheWrite + t.cacheRead) * CURSOR_TOKEN_FEE_PER_M * 100) / 1e6;

export const roundTo = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};
