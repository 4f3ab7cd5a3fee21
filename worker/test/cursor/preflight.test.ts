import { StartupError } from '../../src/config/startup-error';
import { checkCursorAccess } from '../../src/cursor/preflight';
import { scriptedServer } from '../support/http';

const KEY = 'key_' + 'ef'.repeat(32);
const check = (baseUrl: string) => checkCursorAccess({ baseUrl, apiKey: KEY, timeoutMs: 5_000 });

/**
 * The key check before a collection: a busy or failing API (429, 5xx) answered, so it is a warning and the
 * collection goes on to retry; only a refused key or an API that gives no answer at all stops the start.
 * Found by `npm run chaos` (API chaos run): a 429 or 500 on the key check stopped every `collect` as "Cannot reach".
 */
describe('the Cursor key check (preflight)', () => {
  it.each([429, 500, 503])('warns, and does not stop the start, when every attempt answers %i', async (status) => {
    const srv = await scriptedServer(() => ({ status, body: { error: 'busy', message: 'try later' } }));
    try {
      const warning = await check(srv.url);
      expect(warning).toMatch(new RegExp(`answered the key check oddly .*${status}.*collections will retry`));
      expect(srv.requests.length).toBe(2); // retried once first
    } finally {
      await srv.close();
    }
  });

  it('still stops the start, naming the key, when the key is refused', async () => {
    const srv = await scriptedServer(() => ({
      status: 401,
      body: { error: 'Unauthorized', message: 'Invalid API key' },
    }));
    try {
      await expect(check(srv.url)).rejects.toThrow(StartupError);
      await expect(check(srv.url)).rejects.toThrow(/refused the Admin API key in CURSOR_ADMIN_API_KEY \(HTTP 401/);
    } finally {
      await srv.close();
    }
  });

  it('still stops the start, naming CURSOR_API_BASE_URL, when no answer comes at all', async () => {
    const srv = await scriptedServer(() => ({ destroy: true }));
    try {
      await expect(check(srv.url)).rejects.toThrow(/Cannot reach Cursor's API at CURSOR_API_BASE_URL=/);
    } finally {
      await srv.close();
    }
  });
});
