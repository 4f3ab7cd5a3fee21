import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Schema drift: what a response holds beyond or beside our reading of Cursor's docs, found without failing the page.
 * The read schemas (./schemas.ts) are tolerant; their "documented" twin, derived here, is strict everywhere (no
 * unknown keys, no fallbacks), so its issues on a response the read schema accepted are exactly the drift.
 */

export type DriftKind = 'unknown field' | 'unexpected shape';

export interface DriftFinding {
  /** Field path with array indices folded: `usageEvents[].tokenUsage.discountPercentOff`. */
  field: string;
  kind: DriftKind;
  message: string;
  /** One redacted example of the value (JSON text, at most 200 characters). */
  example: string;
}

export interface DriftEntry extends DriftFinding {
  /** The API endpoint, e.g. `GET /teams/groups`. */
  endpoint: string;
  /** How many times it was seen in the run. */
  count: number;
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const documentedCache = new WeakMap<z.ZodType, z.ZodType>();

/** The strict twin of a read schema: objects refuse unknown keys, lenient fallbacks and transforms are removed. */
export function documentedSchema(schema: z.ZodType): z.ZodType {
  let out = documentedCache.get(schema);
  if (!out) {
    out = convert(schema);
    documentedCache.set(schema, out);
  }
  return out;
}

function convert(s: z.ZodType): z.ZodType {
  const def = defOf(s);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return z.strictObject(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, convert(v)])));
    }
    case 'array':
      return z.array(convert(def.element as z.ZodType));
    case 'union':
      return z.union((def.options as z.ZodType[]).map(convert) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
    case 'optional':
    case 'default':
    case 'prefault':
      return convert(def.innerType as z.ZodType).optional();
    case 'nullable':
      return convert(def.innerType as z.ZodType).nullable();
    case 'catch':
      return convert(def.innerType as z.ZodType);
    case 'pipe':
      return convert(def.in as z.ZodType);
    default:
      return s;
  }
}

/** Drift in `data` (a response the read schema accepted) against the documented shape. */
export function findDrift(schema: z.ZodType, data: unknown): DriftFinding[] {
  const r = documentedSchema(schema).safeParse(data);
  if (r.success) return [];
  const out: DriftFinding[] = [];
  for (const issue of r.error.issues) {
    const base = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const holder = valueAt(data, issue.path) as Record<string, unknown> | undefined;
      for (const key of issue.keys) {
        out.push({
          field: base ? `${base}.${key}` : key,
          kind: 'unknown field',
          message: 'not in the documented shape (kept, not used)',
          example: exampleText(holder?.[key]),
        });
      }
    } else {
      out.push({
        field: base || '(root)',
        kind: 'unexpected shape',
        message: issue.message,
        example: exampleText(valueAt(data, issue.path)),
      });
    }
  }
  return out;
}

/** Drift seen during a run, once per endpoint and field with its first example, until drained. */
export class DriftLog {
  private readonly entries = new Map<string, DriftEntry>();

  record(endpoint: string, findings: DriftFinding[]): void {
    for (const f of findings) {
      const key = `${endpoint}\u0000${f.field}`;
      const seen = this.entries.get(key);
      if (seen) seen.count++;
      else this.entries.set(key, { endpoint, ...f, count: 1 });
    }
  }

  /** Everything recorded since the last drain, sorted by endpoint and field. */
  drain(): DriftEntry[] {
    const all = [...this.entries.values()].sort(
      (a, b) => a.endpoint.localeCompare(b.endpoint) || a.field.localeCompare(b.field),
    );
    this.entries.clear();
    return all;
  }
}

function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += '[]';
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

const EMAIL_RE = /^[^@\s]+@[^@\s]+$/;
/** Dates, numbers and day strings say something about a shape and nothing about a person. */
const SAFE_STRING_RE = /^[\d\-:.TZ+ ]{1,40}$/;

/** A value with everything personal removed: emails hashed, other free text replaced by its length. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (EMAIL_RE.test(value)) return `<email ${hashText(value.toLowerCase())}>`;
    if (SAFE_STRING_RE.test(value)) return value;
    return `<string, ${value.length} chars>`;
  }
  if (depth >= 3) return Array.isArray(value) ? `<array, ${value.length} items>` : '<object>';
  if (Array.isArray(value)) {
    const head = value.slice(0, 2).map((v) => redact(v, depth + 1));
    return value.length > 2 ? [...head, `<… ${value.length - 2} more>`] : head;
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, depth + 1)]));
  }
  return `<${typeof value}>`;
}

/** A short stable hash of an email: the same person is recognisable across samples, never readable. */
export function hashText(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

function exampleText(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(redact(value));
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
