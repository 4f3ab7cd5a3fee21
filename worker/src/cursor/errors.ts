import type { z } from 'zod';

/** An HTTP error answer from the Cursor API (after retries, where the status is retryable). */
export class CursorApiError extends Error {
  constructor(
    public readonly endpoint: string,
    public readonly status: number,
    public readonly body: string,
  ) {
    super(`Cursor API ${endpoint} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'CursorApiError';
  }
}

/** A response that does not match the documented shape: names the endpoint, the field and the value. */
export class CursorValidationError extends Error {
  constructor(
    public readonly endpoint: string,
    public readonly issues: { path: string; message: string; value: unknown }[],
  ) {
    const shown = issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.message} (got ${JSON.stringify(i.value)?.slice(0, 80) ?? 'undefined'})`)
      .join('; ');
    super(
      `Cursor API ${endpoint} sent an unexpected response: ${shown}${issues.length > 5 ? ` … and ${issues.length - 5} more` : ''}`,
    );
    this.name = 'CursorValidationError';
  }

  static fromZod(endpoint: string, error: z.ZodError, data: unknown): CursorValidationError {
    return new CursorValidationError(
      endpoint,
      error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
        value: valueAt(data, issue.path),
      })),
    );
  }
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** A response body over the configured cap (CURSOR_MAX_RESPONSE_BYTES): refused, not retried. */
export class CursorResponseTooLargeError extends Error {
  constructor(
    public readonly endpoint: string,
    public readonly maxBytes: number,
    public readonly seenBytes: number,
  ) {
    super(
      `${endpoint}: the response is larger than CURSOR_MAX_RESPONSE_BYTES (${maxBytes} bytes; ${seenBytes} bytes seen); ` +
        'refused. Raise CURSOR_MAX_RESPONSE_BYTES if pages this large are expected',
    );
    this.name = 'CursorResponseTooLargeError';
  }
}

/** Paging that does not end where the API said it would (hasNextPage past numPages) or past the hard limit. */
export class CursorPagingError extends Error {
  constructor(
    public readonly endpoint: string,
    message: string,
  ) {
    super(`${endpoint}: ${message}`);
    this.name = 'CursorPagingError';
  }
}
