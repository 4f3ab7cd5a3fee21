/**
 * The items of `source` in order, each next one asked for as soon as the previous one is handed out: while the
 * consumer works on item n, item n + 1 is being read (one item ahead, never more).
 *
 * A failure to read the item ahead is thrown where the consumer asks for it, after it is done with the one it holds.
 * If the consumer stops early (break or throw), the item being read ahead is dropped: its failure, if any, is
 * swallowed, and the source is closed once that read settles. Whatever that read waits on (a request) is the
 * source's to cancel: give the source a signal and abort it when the consumer stops.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  let ahead = it.next();
  let finished = false;
  try {
    for (;;) {
      const item = await ahead;
      if (item.done) {
        finished = true;
        return;
      }
      ahead = it.next();
      ahead.catch(() => {}); // thrown at the await above if the consumer asks for it; never unhandled if it does not
      yield item.value;
    }
  } finally {
    // Stopped early (or the source threw): close the source without waiting for the read ahead.
    if (!finished) void Promise.resolve(it.return?.()).catch(() => {});
  }
}
