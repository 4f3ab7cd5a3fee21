import type { FastifyInstance } from 'fastify';
import { startApi } from '../../src/api/server';
import type { ApiOptions } from '../../src/api/deps';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

export const TOKEN = 'test-token-0123456789abcdef';
export const NOW = new Date('2026-11-20T12:00:00Z');

export interface TestApi {
  t: TestDb;
  app: FastifyInstance;
  url: string;
  /** Calls the API over real HTTP with the token, as Grafana's proxy would (optionally as a Grafana user). */
  call(
    method: string,
    path: string,
    opts?: {
      body?: unknown;
      token?: string | null;
      login?: string;
      /** OrgRole in X-Grafana-Context (default Admin). */
      role?: string;
      /** Sent as X-Grafana-Id (Grafana's signed ID token). */
      idToken?: string;
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field or parsed with the contract schemas
  ): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

/** A migrated database of its own and the API listening on 127.0.0.1 with a random port. */
export async function startTestApi(
  overrides: Partial<ApiOptions> = {},
  env: Record<string, string> = {},
  existing?: TestDb,
): Promise<TestApi> {
  const t = existing ?? (await createTestDb('api'));
  // Header mode unless a test asks for verify: these tests are about the API, test/identity/ about identity.
  const config = loadConfig({ WORKER_API_TOKEN: TOKEN, LOG_LEVEL: 'silent', GRAFANA_IDENTITY: 'header', ...env });
  const { app, url } = await startApi({
    db: t.db,
    config,
    log: createLogger('silent'),
    now: () => NOW,
    host: '127.0.0.1',
    port: 0,
    ...overrides,
  });
  return {
    t,
    app,
    url,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? TOKEN : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (opts.login)
        headers['x-grafana-context'] = JSON.stringify({ UserID: 7, Login: opts.login, OrgRole: opts.role ?? 'Admin' });
      if (opts.idToken !== undefined) headers['x-grafana-id'] = opts.idToken;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await app.close();
      await dropTestDb(t);
    },
  };
}
