/**
 * Deterministic randomness for the simulator. A tiny hand-rolled PRNG on purpose: every user-day gets its own
 * stream seeded by (seed, stream, user, day), so any day can be generated alone, in any order, and always the same.
 * Library PRNGs are slower to re-seed per user-day and add nothing here (this is synthetic data, not cryptography).
 */
export type Rng = () => number;

/** Streams keep unrelated draws independent: adding an anomaly never changes a user's normal events. */
export const STREAM = {
  roster: 11,
  events: 12,
  extras: 13,
  modelShift: 14,
  dayStats: 15,
  anomalyPlan: 16,
  ids: 17,
  conversations: 18,
  groupMoves: 19,
} as const;

const mixWord = (h: number, word: number): number => {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
};

/** murmur3 finaliser: a 32-bit avalanche. */
export const fmix = (value: number): number => {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** murmur3-style mixing of integers into one 32-bit seed. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const part of parts) {
    // Fold numbers wider than 32 bits (seeds, epoch values) so no information is silently dropped.
    h = mixWord(h, part % 0x100000000);
    h = mixWord(h, Math.floor(part / 0x100000000));
  }
  return fmix(h);
}

/** mulberry32. */
export function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const streamRng = (...parts: number[]): Rng => rngFrom(mix(...parts));

/** Standard normal (Box-Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export const logNormal = (rng: Rng, median: number, sigma: number): number => median * Math.exp(sigma * normal(rng));
export const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
export const intBetween = (rng: Rng, lo: number, hi: number): number => lo + Math.floor((hi - lo + 1) * rng());

/** Index drawn with probability proportional to its weight. */
export function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number): string =>
  HEX_BYTE[n >>> 24] + HEX_BYTE[(n >>> 16) & 255] + HEX_BYTE[(n >>> 8) & 255] + HEX_BYTE[n & 255];

/** A stable hex string of `length` characters derived from the parts. */
export function hexId(length: number, ...parts: number[]): string {
  const base = mix(...parts);
  let out = '';
  for (let i = 0; out.length < length; i++) out += hex8(fmix(base + Math.imul(i + 1, 0x9e3779b9)));
  return out.length === length ? out : out.slice(0, length);
}

/** A UUID-shaped id (version 4 layout), stable for the parts. Hot path: one per rendered event. */
export const uuidLike = (...parts: number[]): string => {
  const base = mix(...parts);
  const a = fmix(base + 0x9e3779b9);
  const b = fmix(base + 0x3c6ef372);
  const c = fmix(base + 0xdaa66d2b);
  const d = fmix(base + 0x78dde6e4);
  return `${hex8(a)}-${HEX_BYTE[b >>> 24]}${HEX_BYTE[(b >>> 16) & 255]}-4${hex8(b).slice(5)}-a${hex8(c).slice(5)}-${HEX_BYTE[c >>> 24]}${HEX_BYTE[(c >>> 16) & 255]}${hex8(d)}`;
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export function base62Id(length: number, ...parts: number[]): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    let h = mix(...parts, i);
    for (let k = 0; k < 5 && out.length < length; k++) {
      out += BASE62[h % 62];
      h = Math.floor(h / 62);
    }
  }
  return out;
}
