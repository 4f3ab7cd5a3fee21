/**
 * The parts of Go's net/url that Grafana's plugin proxy leans on, over "byte strings" (one JS char per byte, as Go
 * strings are bytes): percent-escaping of a path, unescaping, URL.EscapedPath, url.Parse, and Grafana's
 * util.JoinURLFragments. Only what the proxy model needs; each function names the Go function it follows.
 */

const HEX = '0123456789ABCDEF';

/** UTF-8 bytes of a JS string, as a byte string (Go converts string literals the same way). */
export function toBytes(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      out += ch;
      continue;
    }
    let enc: string;
    try {
      enc = encodeURIComponent(ch);
    } catch {
      enc = '%EF%BF%BD'; // a lone surrogate: Go writes U+FFFD
    }
    for (const h of enc.split('%').slice(1)) {
      out += String.fromCharCode(parseInt(h, 16));
    }
  }
  return out;
}

/** A byte string back to text (invalid UTF-8 becomes U+FFFD, as Go's string→[]rune does). */
export function fromBytes(b: string): string {
  const bytes = Uint8Array.from(b, (c) => c.charCodeAt(0));
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i];
    const need = c < 0x80 ? 0 : c >= 0xf0 && c < 0xf8 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
    if (need === 0) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let cp = need === 1 ? c & 0x1f : need === 2 ? c & 0x0f : c & 0x07;
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const n = bytes[i + k];
      if (n === undefined || (n & 0xc0) !== 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (n & 0x3f);
      }
    }
    if (!ok || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += '\uFFFD';
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** net/url shouldEscape(c, encodePath): unreserved and `$&+,/:;=@` stay, `?` and everything else is escaped. */
export function shouldEscapePath(c: string): boolean {
  if (isAlnum(c)) {
    return false;
  }
  if ('-_.~'.includes(c)) {
    return false;
  }
  if ('$&+,/:;=@'.includes(c)) {
    return false;
  }
  return true; // includes '?'
}

/** net/url escape(s, encodePath): upper-case hex, byte by byte. */
export function escapePath(bytes: string): string {
  let out = '';
  for (const c of bytes) {
    out += shouldEscapePath(c) ? '%' + HEX[c.charCodeAt(0) >> 4] + HEX[c.charCodeAt(0) & 15] : c;
  }
  return out;
}

export class EscapeError extends Error {
  constructor(public readonly sequence: string) {
    super(`invalid URL escape ${JSON.stringify(sequence)}`);
  }
}

/** net/url unescape(s, encodePath) / url.PathUnescape: `%XX` to a byte, `+` left alone; a bad `%` is an error. */
export function unescapePath(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new EscapeError(s.slice(i, i + 3));
      }
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

/** net/url validEncoded(s, encodePath): may this raw path be sent as it is? */
export function validEncoded(s: string): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(c)) {
      continue;
    }
    if (shouldEscapePath(c)) {
      return false;
    }
  }
  return true;
}

/** A Go url.URL reduced to what the proxy reads: Path is decoded, RawPath set only when the escaping was unusual. */
export interface GoUrl {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

/** net/url (*URL).setPath: decode the path, remember the raw form only if escape(decoded) would differ. */
function withPath(u: Omit<GoUrl, 'path' | 'rawPath'>, p: string): GoUrl {
  const path = unescapePath(p);
  return { ...u, path, rawPath: escapePath(path) === p ? '' : p };
}

/** net/url (*URL).EscapedPath: the raw path when it is valid and consistent, else the canonical escaping. */
export function escapedPath(u: GoUrl): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath)) {
    try {
      if (unescapePath(u.rawPath) === u.path) {
        return u.rawPath;
      }
    } catch {
      // fall through to the canonical escaping
    }
  }
  if (u.path === '*') {
    return '*';
  }
  return escapePath(u.path);
}

/** net/url (*URL).RequestURI: escaped path ("/" when empty) plus the raw query. */
export function requestURI(u: GoUrl): string {
  const p = escapedPath(u) || '/';
  return u.rawQuery !== '' ? `${p}?${u.rawQuery}` : p;
}

/** net/url ParseRequestURI, as net/http reads a request line: `/path?query`, no fragment. */
export function parseRequestURI(raw: string): GoUrl {
  const bytes = toBytes(raw);
  const q = bytes.indexOf('?');
  const p = q === -1 ? bytes : bytes.slice(0, q);
  return withPath({ scheme: '', host: '', rawQuery: q === -1 ? '' : bytes.slice(q + 1) }, p);
}

/** net/url Parse for an absolute or relative URL: scheme, `//host`, path, query (the fragment is dropped). */
export function parseUrl(raw: string): GoUrl {
  const bytes = toBytes(raw);
  if (/[\x00-\x1f\x7f]/.test(bytes)) {
    throw new Error('net/url: invalid control character in URL');
  }
  const noFragment = bytes.split('#')[0];
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(noFragment);
  const scheme = m ? m[1].toLowerCase() : '';
  let rest = m ? m[2] : noFragment;
  const q = rest.indexOf('?');
  const rawQuery = q === -1 ? '' : rest.slice(q + 1);
  rest = q === -1 ? rest : rest.slice(0, q);
  let host = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash === -1 ? '' : rest.slice(slash);
    host = host.replace(/^.*@/, ''); // userinfo is not part of the Host
  }
  return withPath({ scheme, host, rawQuery }, rest);
}

/** pkg/util/url.go JoinURLFragments: exactly one slash between the two parts; an empty second part adds nothing. */
export function joinURLFragments(a: string, b: string): string {
  const aslash = a.endsWith('/');
  const bslash = b.startsWith('/');
  if (b.length === 0) {
    return a;
  }
  if (aslash && bslash) {
    return a + b.slice(1);
  }
  if (!aslash && !bslash) {
    return a + '/' + b;
  }
  return a + b;
}
