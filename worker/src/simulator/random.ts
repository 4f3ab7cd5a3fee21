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
} as const;

/** murmur3-style mixing of integers into one 32-bit seed. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const part of parts) {
    // Fold numbers wider than 32 bits (seeds, epoch values) so no information is silently dropped.
    for (const p of [part % 0x100000000, Math.floor(part / 0x100000000)]) {
      let k = Math.imul(p | 0, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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

/** A stable hex string of `length` characters derived from the parts. */
export function hexId(length: number, ...parts: number[]): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += mix(...parts, i).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

export const uuidLike = (...parts: number[]): string => {
  const h = hexId(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
