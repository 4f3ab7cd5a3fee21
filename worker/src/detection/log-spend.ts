/** Spend is compared on log(cents + LOG_OFFSET): a $1 offset keeps near-zero days from dominating. */
export const LOG_OFFSET = 100;

export const logSpend = (cents: number): number => Math.log(cents + LOG_OFFSET);
export const fromLog = (value: number): number => Math.max(0, Math.exp(value) - LOG_OFFSET);
