import { MAX_DEPTH, unstorableFields } from '../../src/db/storable-text';

// unstorableFields answers a clean value without walking it twice (holdsUnstorable): what it reports must not change.
describe('unstorableFields', () => {
  const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { a: nested(depth - 1, leaf) });

  it('finds nothing in clean values, deep ones included', () => {
    expect(unstorableFields({ a: 'x', b: [1, 'y', { c: null, d: true }], e: 'héllo 😀' }, 'event')).toEqual([]);
    expect(unstorableFields(nested(MAX_DEPTH - 1, 'leaf'), 'body')).toEqual([]);
    expect(unstorableFields('plain', 'query')).toEqual([]);
  });

  it('names every field PostgreSQL cannot store, in arrays, in keys and below several levels', () => {
    const value = {
      ok: 'fine',
      list: ['a', 'b\u0000c', { deep: ['\ud800'] }],
      ['k\u0000ey']: 1,
      tail: { x: 'y' },
    };
    expect(unstorableFields(value, 'event')).toEqual([
      { path: 'event.list.1', message: expect.stringContaining('U+0000') },
      { path: 'event.list.2.deep.0', message: expect.stringContaining('unpaired UTF-16 surrogate') },
      { path: 'event', message: expect.stringContaining('has a key that must not contain U+0000') },
    ]);
    expect(unstorableFields('\u0000', 'params')).toEqual([{ path: 'params', message: expect.stringContaining('NUL') }]);
  });

  it('refuses a value nested deeper than MAX_DEPTH', () => {
    expect(unstorableFields(nested(MAX_DEPTH + 1, 'leaf'), 'body')).toEqual([
      { path: 'body', message: `is nested deeper than ${MAX_DEPTH} levels` },
    ]);
  });
});
