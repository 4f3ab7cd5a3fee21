import { median, quantile, robustScale } from '../../src/detection/stats';

/** The definitions the helpers must match bit for bit: a full sort of a copy (NaN last, −0 before +0). */
const sorted = (v: number[]) => Float64Array.from(v).sort();
function refMedian(v: number[]): number {
  const s = sorted(v);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
function refQuantile(v: number[], p: number): number {
  const s = sorted(v);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const refScale = (v: number[], c: number) => 1.4826 * refMedian(v.map((x) => Math.abs(x - c)));

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('robust statistics (selection instead of a full sort)', () => {
  it('equal a full sort bit for bit on sizes 1..300, ties, ±0 and NaN', () => {
    const rnd = random(7);
    for (let n = 1; n <= 300; n += n < 40 ? 1 : 13) {
      for (let trial = 0; trial < 8; trial++) {
        const kind = trial % 4;
        const v = Array.from({ length: n }, () =>
          kind === 0
            ? rnd() * 10 - 5
            : kind === 1
              ? Math.floor(rnd() * 4) // many ties
              : kind === 2
                ? [0, -0, 1, -1][Math.floor(rnd() * 4)]
                : rnd() < 0.1
                  ? Number.NaN
                  : Math.log(rnd() * 1000 + 100),
        );
        const copy = [...v];
        expect(Object.is(median(v), refMedian(v))).toBe(true);
        const c = refMedian(v);
        expect(Object.is(robustScale(v, c), refScale(v, c))).toBe(true);
        expect(Object.is(robustScale(v), refScale(v, c))).toBe(true);
        for (const p of [0, 0.1, 0.5, 0.75, 0.9, 1]) expect(Object.is(quantile(v, p), refQuantile(v, p))).toBe(true);
        expect(v).toEqual(copy); // inputs are not modified
      }
    }
  });

  it('a median of an even count is the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median(Float64Array.of(9, 1, 5))).toBe(5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
