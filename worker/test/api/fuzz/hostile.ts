import fc from 'fast-check';

/** Strings a hostile caller sends: text PostgreSQL cannot store, injection, edge numbers, huge and empty. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\udbff\udfff', // a valid pair: must be accepted as text
    '',
    ' ',
    '%00',
    "' OR 1=1 --",
    '\\',
    '%',
    '_',
    '𝒳🙂',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '1e309',
    'NaN',
    '-1',
    '0',
    '1.5',
    '99999999999999999999',
    '0000-01-01T00:30:00+23:59',
    '9999-12-31T23:59:59-23:59',
    '2026-02-30T00:00:00Z',
    'x'.repeat(5000),
  ),
  // Any UTF-16 code units, NUL and unpaired surrogates included.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** A value nested `depth` levels, built without recursion. */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Any JSON value a hostile body may hold where the contract wants something else. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
  fc.double({ noNaN: true }),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.integer({ min: 30, max: 3000 }).map((d) => nested(d)),
);

/**
 * Percent-encodes like a hostile client: as encodeURIComponent, but an unpaired surrogate becomes its 3-byte
 * (CESU-8) form, which is not valid UTF-8, instead of throwing.
 */
export function encodeComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}
