/** The benchmarks' table cells: a ratio as a whole percent, a number to `d` places, 'n/a' when not finite. */
export const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : 'n/a');
export const num = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
