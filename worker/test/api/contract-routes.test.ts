import { API_ROUTES, type ApiRoute } from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import type { RouteHandler } from '../../src/api/route';
import { startTestApi, type TestApi } from './support';

/**
 * The worker serves exactly the contract's routes: each of API_ROUTES answers from its handler (not the 404 for an
 * unknown endpoint), and no /api route is served that the contract lacks. The real app, listening on 127.0.0.1.
 */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
}, 60_000);
afterAll(async () => api.close());

/** "METHOD /path" of every route Fastify serves, read from printRoutes' tree (one segment per line, 4 columns a level). */
function servedRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const path = stack.join('');
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}

const contractRoutes = () => Object.values(API_ROUTES).map((r: ApiRoute) => `${r.method} ${r.path}`);

describe('the worker serves the contract', () => {
  it('serves every route of API_ROUTES and no /api route missing from it', () => {
    const served = servedRoutes(api.app);
    expect(served).toEqual(expect.arrayContaining(contractRoutes()));
    expect(served.filter((r) => r.split(' ')[1].startsWith('/api/'))).toEqual(
      contractRoutes()
        .filter((r) => r.split(' ')[1].startsWith('/api/'))
        .sort(),
    );
    // What the server serves besides the plugin's API: Prometheus' scrape endpoint.
    expect(served.filter((r) => !contractRoutes().includes(r))).toEqual(['GET /metrics']);
  });

  it.each(Object.entries(API_ROUTES))('%s answers from its handler over HTTP', async (_name, r) => {
    const route = r as ApiRoute;
    const path = route.path.replace(':id', '999999').replace(':email', 'nobody%40example.com');
    const res = await api.call(route.method, path, { login: 'admin', role: 'Admin' });
    // Not the not-found handler's answer (the route missing), a role refusal, or a crash: the handler's own answer
    // (a 404 for the unknown id, a 400 for the empty body, a 503 for the job queue this test does not start...).
    expect(res.text).not.toContain('No endpoint');
    expect(res.status).not.toBe(403);
    expect(res.status).not.toBe(500);
  });

  it('answers a path the contract lacks with the not-found handler', async () => {
    const res = await api.call('GET', '/api/nothing-here', { login: 'admin' });
    expect([res.status, res.json]).toEqual([404, { error: 'not_found', message: 'No endpoint GET /api/nothing-here' }]);
  });
});

// A handler's answer is the contract's response shape: another shape does not compile (npm run typecheck).
// @ts-expect-error -- getUser answers a userDetail, not a bare email
export const wrongShape: RouteHandler<'getUser'> = async ({ params }) => ({ email: params.email });
