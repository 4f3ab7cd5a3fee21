/**
 * Grafana's route tree (pkg/web/tree.go, from Macaron), which HandleRequest builds once per plugin route to match the
 * proxied path: `t := web.NewTree(); t.Add(route.Path, nil); _, params, isMatch := t.Match(proxy.proxyPath)`.
 * Ported function by function over byte strings; names follow the Go code.
 */
import { unescapePath } from './goUrl';

// pkg/web/tree.go patternType: the order is the match priority among siblings.
const STATIC = 0; // /home
const REGEXP = 1; // /:id([0-9]+)
const PATH_EXT = 2; // /*.*
const HOLDER = 3; // /:user
const MATCH_ALL = 4; // /*

type PatternType = typeof STATIC | typeof REGEXP | typeof PATH_EXT | typeof HOLDER | typeof MATCH_ALL;
export type Params = Record<string, string>;

const wildcardPattern = /:[a-zA-Z0-9]+/;

/** tree.go getNextWildcard: the next `:name`, replaced by its regexp (`(.+)`, or `:int` / `:string` shorthands). */
function getNextWildcard(pattern: string): [string, string] {
  const m = wildcardPattern.exec(pattern);
  if (!m) {
    return ['', pattern];
  }
  const wildcard = m[0];
  const end = m.index + wildcard.length;
  if (pattern.length === end) {
    return [wildcard, pattern.replace(wildcard, '(.+)')];
  } else if (pattern[end] !== '(') {
    if (pattern.startsWith(':int', m.index)) {
      pattern = pattern.replace(':int', '([0-9]+)');
    } else if (pattern.startsWith(':string', m.index)) {
      pattern = pattern.replace(':string', '([\\w]+)');
    } else {
      return [wildcard, pattern.replace(wildcard, '(.+)')];
    }
  }
  return [wildcard, pattern.slice(0, m.index) + pattern.slice(end)];
}

/** tree.go getWildcards. */
function getWildcards(pattern: string): [string, string[]] {
  const wildcards: string[] = [];
  for (;;) {
    const [w, p] = getNextWildcard(pattern);
    pattern = p;
    if (w.length === 0) {
      break;
    }
    wildcards.push(w);
  }
  return [pattern, wildcards];
}

interface Checked {
  typ: PatternType;
  wildcards: string[];
  reg?: RegExp;
}

/** tree.go checkPattern. */
function checkPattern(pattern: string): Checked {
  pattern = pattern.replace(/^\?+/, '');
  if (pattern === '*') {
    return { typ: MATCH_ALL, wildcards: [] };
  }
  if (pattern === '*.*') {
    return { typ: PATH_EXT, wildcards: [] };
  }
  if (pattern.includes(':')) {
    const [p, wildcards] = getWildcards(pattern);
    if (p === '(.+)') {
      return { typ: HOLDER, wildcards };
    }
    // Go's regexp.FindStringSubmatch is unanchored, like RegExp.exec.
    return { typ: REGEXP, wildcards, reg: new RegExp(p) };
  }
  return { typ: STATIC, wildcards: [] };
}

interface Leaf extends Checked {
  pattern: string;
}

export class Tree {
  private readonly subtrees: Tree[] = [];
  private readonly leaves: Leaf[] = [];
  private readonly checked: Checked;

  constructor(readonly pattern = '') {
    this.checked = checkPattern(pattern);
  }

  /** tree.go (*Tree).Add: trailing slash dropped, then segment by segment. */
  add(pattern: string): void {
    this.addNextSegment(pattern.replace(/\/$/, ''));
  }

  /** tree.go (*Tree).Match: leading and trailing slash dropped; params["*"] is the unescaped rest. */
  match(url: string): { params: Params; isMatch: boolean } {
    url = url.replace(/^\//, '').replace(/\/$/, '');
    const params: Params = {};
    return { params, isMatch: this.matchNextSegment(0, url, params) };
  }

  private addNextSegment(pattern: string): void {
    pattern = pattern.replace(/^\//, '');
    const i = pattern.indexOf('/');
    if (i === -1) {
      this.addLeaf(pattern);
    } else {
      this.addSubtree(pattern.slice(0, i), pattern.slice(i + 1));
    }
  }

  private addLeaf(pattern: string): void {
    if (this.leaves.some((l) => l.pattern === pattern)) {
      return;
    }
    if (pattern.startsWith('?')) {
      throw new Error(`optional route segments (${pattern}) are not modelled`);
    }
    const leaf: Leaf = { pattern, ...checkPattern(pattern) };
    const i = this.leaves.findIndex((l) => leaf.typ < l.typ);
    this.leaves.splice(i === -1 ? this.leaves.length : i, 0, leaf);
  }

  private addSubtree(segment: string, pattern: string): void {
    let sub = this.subtrees.find((t) => t.pattern === segment);
    if (!sub) {
      sub = new Tree(segment);
      const i = this.subtrees.findIndex((t) => sub!.checked.typ < t.checked.typ);
      this.subtrees.splice(i === -1 ? this.subtrees.length : i, 0, sub);
    }
    sub.addNextSegment(pattern);
  }

  /** tree.go matchLeaf: the last segment, unescaped, against this level's leaves. */
  private matchLeaf(globLevel: number, url: string, params: Params): boolean {
    try {
      url = unescapePath(url);
    } catch {
      return false;
    }
    for (const leaf of this.leaves) {
      switch (leaf.typ) {
        case STATIC:
          if (leaf.pattern === url) {
            return true;
          }
          break;
        case REGEXP: {
          const results = leaf.reg!.exec(url);
          if (!results || results.length - 1 !== leaf.wildcards.length) {
            break;
          }
          leaf.wildcards.forEach((w, j) => (params[w] = results[j + 1]));
          return true;
        }
        case PATH_EXT: {
          const j = url.lastIndexOf('.');
          if (j > -1) {
            params[':path'] = url.slice(0, j);
            params[':ext'] = url.slice(j + 1);
          } else {
            params[':path'] = url;
          }
          return true;
        }
        case HOLDER:
          params[leaf.wildcards[0]] = url;
          return true;
        case MATCH_ALL:
          params['*'] = url;
          params['*' + globLevel] = url;
          return true;
      }
    }
    return false;
  }

  /** tree.go matchSubtree: a middle segment against the subtrees, else a trailing `*` leaf takes the whole rest. */
  private matchSubtree(globLevel: number, segment: string, url: string, params: Params): boolean {
    let unescapedSegment: string;
    try {
      unescapedSegment = unescapePath(segment);
    } catch {
      return false;
    }
    for (const t of this.subtrees) {
      switch (t.checked.typ) {
        case STATIC:
          if (t.pattern === unescapedSegment && t.matchNextSegment(globLevel, url, params)) {
            return true;
          }
          break;
        case REGEXP: {
          const results = t.checked.reg!.exec(unescapedSegment);
          if (!results || results.length - 1 !== t.checked.wildcards.length) {
            break;
          }
          t.checked.wildcards.forEach((w, j) => (params[w] = results[j + 1]));
          if (t.matchNextSegment(globLevel, url, params)) {
            return true;
          }
          break;
        }
        case HOLDER:
          if (t.matchNextSegment(globLevel + 1, url, params)) {
            params[t.checked.wildcards[0]] = unescapedSegment;
            return true;
          }
          break;
        case MATCH_ALL:
          if (t.matchNextSegment(globLevel + 1, url, params)) {
            params['*' + globLevel] = unescapedSegment;
            return true;
          }
          break;
      }
    }
    if (this.leaves.length > 0) {
      const leaf = this.leaves[this.leaves.length - 1];
      let unescapedURL: string;
      try {
        unescapedURL = unescapePath(segment + '/' + url);
      } catch {
        return false;
      }
      if (leaf.typ === PATH_EXT) {
        const j = unescapedURL.lastIndexOf('.');
        if (j > -1) {
          params[':path'] = unescapedURL.slice(0, j);
          params[':ext'] = unescapedURL.slice(j + 1);
        } else {
          params[':path'] = unescapedURL;
        }
        return true;
      }
      if (leaf.typ === MATCH_ALL) {
        params['*'] = unescapedURL;
        params['*' + globLevel] = unescapedURL;
        return true;
      }
    }
    return false;
  }

  /** tree.go matchNextSegment: cut at the first slash. */
  private matchNextSegment(globLevel: number, url: string, params: Params): boolean {
    const i = url.indexOf('/');
    if (i === -1) {
      return this.matchLeaf(globLevel, url, params);
    }
    return this.matchSubtree(globLevel, url.slice(0, i), url.slice(i + 1), params);
  }
}

/** tree.go MatchTest. */
export function matchTest(pattern: string, url: string): boolean {
  const t = new Tree();
  t.add(pattern);
  return t.match(url).isMatch;
}
