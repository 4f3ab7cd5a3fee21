import type { z } from 'zod';
import { ApiValidationError } from './errors';

/**
 * Parses one part of a request (`where` is query, params or body) and names each bad field as `where.field`,
 * so a 400 says exactly what to fix.
 */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'query' | 'params' | 'body',
): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (result.success) return result.data;
  throw new ApiValidationError(
    result.error.issues.map((i) => {
      const field = i.path.map(String).join('.');
      const unknownKeys = i.code === 'unrecognized_keys' ? `: ${i.keys.join(', ')}` : '';
      return { path: field ? `${where}.${field}` : where, message: `${i.message}${unknownKeys}` };
    }),
  );
}
