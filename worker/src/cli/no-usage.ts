/**
 * What a CLI that reads the rollups up to `day` says when it found no usage there (null when there is nothing to
 * say): none collected yet, none up to that day (and when the first is), or none within its window of `windowDays`.
 */
export function noUsageWarning(
  firstUsageDay: string | null,
  day: string,
  nothingTo: 'detect' | 'replay',
  windowDays?: number,
): string | null {
  if (firstUsageDay === null)
    return `no usage collected yet: nothing to ${nothingTo} (run \`npm run collect\` or \`npm start\` first)`;
  if (firstUsageDay > day)
    return `no usage collected up to ${day} (the first is on ${firstUsageDay}): nothing to ${nothingTo}`;
  return windowDays === undefined ? null : `no usage in the ${windowDays} days up to ${day}: nothing to ${nothingTo}`;
}
