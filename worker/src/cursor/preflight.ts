import { StartupError } from '../config/startup-error';
import { CursorClient } from './client';
import { CursorApiError, CursorValidationError } from './errors';

/** Where Cursor's team admins create the key (Cursor's Admin API docs, "Authentication"). */
export const ADMIN_KEY_HELP =
  'Create one in the Cursor dashboard → Settings → Advanced → Admin API Keys (team admins only)';

/**
 * One request (GET /teams/members) before anything else starts, so a wrong key or an unreachable API is one clear
 * message instead of an error per endpoint at every collection. Throws a StartupError for a refused key or an
 * unreachable API; returns a warning for answers that a later collection may not get (5xx, 429, odd shape).
 */
export async function checkCursorAccess(opts: {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}): Promise<string | undefined> {
  const client = new CursorClient({
    ...opts,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
    maxRetries: 1,
    backoffBaseMs: 500,
  });
  try {
    await client.members();
    return undefined;
  } catch (thrown) {
    // After its retries the client throws a summary whose cause is the last answer: a 429 or 5xx is an answer,
    // so the API was reached (found by npm run chaos: such a key check stopped every collect as "Cannot reach").
    const err =
      !(thrown instanceof CursorApiError) && (thrown as Error)?.cause instanceof CursorApiError
        ? (thrown as Error).cause
        : thrown;
    if (err instanceof CursorApiError && (err.status === 401 || err.status === 403))
      throw new StartupError(
        `Cursor refused the Admin API key in CURSOR_ADMIN_API_KEY (HTTP ${err.status} from ${opts.baseUrl}): it is wrong, revoked, or not an Admin API key. ${ADMIN_KEY_HELP}, then set CURSOR_ADMIN_API_KEY in .env (or unset it for the demo).`,
      );
    if (err instanceof CursorApiError || err instanceof CursorValidationError)
      return `Cursor's API answered the key check oddly (${err.message.slice(0, 200)}); collections will retry`;
    const cause = err instanceof Error ? err.message.replace(/^.*attempts: /, '') : String(err);
    throw new StartupError(
      `Cannot reach Cursor's API at CURSOR_API_BASE_URL=${opts.baseUrl} (${cause}). Check this machine's network, DNS and proxy, or the value of CURSOR_API_BASE_URL.`,
    );
  }
}
