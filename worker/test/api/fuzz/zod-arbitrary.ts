import fc from 'fast-check';
import type { z } from 'zod';
import { hostileString, hostileValue } from './hostile';

/**
 * fast-check arbitraries built from the contract's zod 4 schemas (zod-fast-check only supports zod 3): mostly values
 * the schema accepts, with hostile ones mixed in at every field. Reads zod 4's public definition (`_zod.def`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- zod's definitions differ per schema type
type Def = any;
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

interface Bounds {
  min?: number;
  max?: number;
  minInclusive: boolean;
  maxInclusive: boolean;
  int: boolean;
}

function checksOf(def: Def): Def[] {
  return (def.checks ?? []).map((c: { _zod: { def: Def } }) => c._zod.def);
}

function numberBounds(def: Def): Bounds {
  const b: Bounds = { minInclusive: true, maxInclusive: true, int: false };
  for (const c of checksOf(def)) {
    if (c.check === 'greater_than') Object.assign(b, { min: Number(c.value), minInclusive: c.inclusive });
    if (c.check === 'less_than') Object.assign(b, { max: Number(c.value), maxInclusive: c.inclusive });
    if (c.check === 'number_format' && /int/.test(c.format)) b.int = true;
  }
  return b;
}

function validNumber(def: Def): fc.Arbitrary<number> {
  const b = numberBounds(def);
  const min = (b.min ?? -1e6) + (b.minInclusive ? 0 : b.int ? 1 : 1e-9);
  const max = Math.min(b.max ?? 1e6, 1e9) - (b.maxInclusive ? 0 : b.int ? 1 : 1e-9);
  const edges = fc.constantFrom(min, max);
  return fc.oneof(edges, b.int ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }));
}

function validString(def: Def): fc.Arbitrary<string> {
  if (def.format === 'datetime')
    return fc
      .date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (def.format === 'date')
    return fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  let minLength = 0;
  let maxLength = 60;
  for (const c of checksOf(def)) {
    if (c.check === 'min_length') minLength = c.minimum;
    if (c.check === 'max_length') maxLength = Math.min(maxLength, c.maximum);
  }
  return fc.string({ unit: 'grapheme', minLength: Math.max(minLength, 0), maxLength: Math.max(maxLength, minLength) });
}

/** The enum values a comma-separated list (contract's csvOf) takes, or null for any other pipe. */
function csvEnum(def: Def): string[] | null {
  const out = defOf(def.out);
  if (out.type !== 'array') return null;
  const el = defOf(out.element);
  return el.type === 'enum' ? Object.values(el.entries as Record<string, string>) : null;
}

/** Values `schema` should accept (or that test the edges of what it accepts). */
export function validFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return validString(def);
    case 'number':
      return validNumber(def);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'optional':
      return fc.option(validFor(def.innerType), { nil: undefined, freq: 3 });
    case 'default':
      return fc.option(validFor(def.innerType), { nil: undefined, freq: 3 });
    case 'pipe': {
      const values = csvEnum(def);
      if (values) return fc.subarray(values, { minLength: 1 }).map((v) => v.join(','));
      return validFor(def.in);
    }
    case 'object':
      return objectOf(def, validFor);
    case 'array':
      return fc.array(validFor(def.element), { maxLength: 4 });
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** An object with each field from `field`; optional fields sometimes left out, and now and then an unknown key. */
function objectOf(def: Def, field: (s: z.ZodType) => fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const shape = def.shape as Record<string, z.ZodType>;
  const record = fc.record(Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, field(s)])));
  return fc.tuple(record, fc.option(fc.tuple(hostileString, hostileValue), { freq: 8 })).map(([obj, extra]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
    if (extra) out[extra[0]] = extra[1];
    return out;
  });
}

/** Mostly valid values for every field, each field hostile now and then. */
export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  if (def.type === 'object') return objectOf(def, arbitraryFor);
  if (def.type === 'optional' && defOf(def.innerType).type === 'object')
    return fc.option(arbitraryFor(def.innerType), { nil: undefined });
  return fc.oneof({ weight: 4, arbitrary: validFor(schema) }, { weight: 1, arbitrary: hostileValue });
}
