import fs from 'node:fs';
import path from 'node:path';
import { API_ROUTES } from '@cursor-cost-watch/contract';
import { REPO_ROOT } from '../../../src/config/config';
import {
  buildProbes,
  hasRole,
  matchPluginRoute,
  type PluginRoute,
  probeOutcome,
  routePathMatches,
} from '../../../tools/smoke-grafana/proxy-routes';

// The expected status of every worker route per role is derived, never listed: from the route plugin.json gives the
// request (pluginproxy.go HandleRequest) and its reqRole against the user's org role (hasAccessToRoute).

describe('plugin route matching (pluginproxy.go HandleRequest)', () => {
  it('matches literal, :param and * segments as the web route tree does', () => {
    expect(routePathMatches('api/settings', 'api/settings')).toBe(true);
    expect(routePathMatches('api/settings', 'api/settings/preview')).toBe(false);
    expect(routePathMatches('api/*', 'api/incidents/12')).toBe(true);
    expect(routePathMatches('api/*', 'api')).toBe(false);
    expect(routePathMatches('api/incidents/:id/acknowledge', 'api/incidents/12/acknowledge')).toBe(true);
    expect(routePathMatches('api/incidents/:id/acknowledge', 'api/incidents//acknowledge')).toBe(false);
  });

  it('takes the first route in plugin.json order whose method matches ("" and "*" match any)', () => {
    const routes: PluginRoute[] = [
      { path: 'api/settings', method: 'PUT', reqRole: 'Admin' },
      { path: 'api/*', method: 'GET', reqRole: 'Viewer' },
      { path: 'api/*', reqRole: 'Editor' },
    ];
    expect(matchPluginRoute(routes, 'GET', 'api/settings')?.reqRole).toBe('Viewer');
    expect(matchPluginRoute(routes, 'PUT', 'api/settings')?.reqRole).toBe('Admin');
    expect(matchPluginRoute(routes, 'DELETE', 'api/snoozes/3')?.reqRole).toBe('Editor');
    expect(matchPluginRoute(routes, 'GET', 'other')).toBeNull();
  });

  it('Admin includes Editor includes Viewer; a route without a valid reqRole checks nothing', () => {
    expect([hasRole('Viewer', 'Editor'), hasRole('Editor', 'Editor'), hasRole('Admin', 'Editor')]).toEqual([
      false,
      true,
      true,
    ]);
    expect(hasRole('Viewer', undefined)).toBe(true);
  });
});

describe('probes from plugin.json and the contract', () => {
  const plugin = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'plugin/src/plugin.json'), 'utf8')) as {
    routes: PluginRoute[];
  };
  const probes = buildProbes(plugin.routes, { incidentId: 7, email: 'a@b.c' });

  it('cover every non-public worker route for each of the three roles', () => {
    const routes = Object.values(API_ROUTES).filter((r) => r.role !== 'public').length;
    expect(probes).toHaveLength(routes * 3);
  });

  it('expect 403 exactly where the matched route needs more than the role, else what the worker answers', () => {
    for (const p of probes) {
      const matched = matchPluginRoute(plugin.routes, p.method, p.path);
      const denied = !!matched && !hasRole(p.role, matched.reqRole);
      expect({ probe: `${p.role} ${p.method} ${p.path}`, expected: p.expected }).toEqual({
        probe: `${p.role} ${p.method} ${p.path}`,
        expected: !matched ? 404 : denied ? 403 : p.method === 'GET' ? 200 : 400,
      });
    }
    // What the contract says each role may do, the plugin's routes enforce: e.g. a Viewer's acknowledge is refused.
    const ack = probes.filter((p) => p.route === 'acknowledgeIncident').map((p) => [p.role, p.expected]);
    expect(ack).toEqual([
      ['Viewer', 403],
      ['Editor', 400],
      ['Admin', 400],
    ]);
    const settings = probes.filter((p) => p.route === 'updateSettings').map((p) => [p.role, p.expected]);
    expect(settings).toEqual([
      ['Viewer', 403],
      ['Editor', 403],
      ['Admin', 400],
    ]);
  });

  it("reads use the stack's own ids; writes send input the worker refuses, so nothing changes", () => {
    expect(probes.find((p) => p.route === 'getIncident')?.path).toBe('api/incidents/7');
    expect(probes.find((p) => p.route === 'getUser')?.path).toBe('api/users/a%40b.c');
    expect(
      probes
        .filter((p) => p.method !== 'GET')
        .every((p) => p.path.match(/\/0(\/|$)/) || JSON.stringify(p.body) === '{"__smoke__":true}'),
    ).toBe(true);
    const noSample = buildProbes(plugin.routes, {}).find((p) => p.route === 'getIncident' && p.role === 'Viewer');
    expect([noSample?.path, noSample?.expected]).toEqual(['api/incidents/2147483647', 404]);
  });

  it('a route no plugin.json route takes is a failure, whatever Grafana answers', () => {
    const probe = buildProbes([{ path: 'api/incidents', method: 'GET' }], {}).find((p) => p.route === 'updateSettings');
    expect(probe?.unroutable).toBe(true);
    expect(probeOutcome(probe!, 404, { message: 'plugin route match not found' }).ok).toBe(false);
  });

  it("tells Grafana's answers from the worker's", () => {
    const viewerPut = probes.find((p) => p.route === 'updateSettings' && p.role === 'Viewer')!;
    expect(probeOutcome(viewerPut, 403, { message: 'plugin proxy route access denied' }).ok).toBe(true);
    expect(probeOutcome(viewerPut, 403, { error: 'forbidden', message: 'Admins only' }).ok).toBe(false); // the worker's, not Grafana's
    expect(probeOutcome(viewerPut, 400, { error: 'invalid_request', message: 'x' }).detail).toMatch(
      /expected 403 .*got 400 invalid_request/,
    );
    const adminPut = probes.find((p) => p.route === 'updateSettings' && p.role === 'Admin')!;
    expect(probeOutcome(adminPut, 400, { error: 'invalid_request', message: '__smoke__ is not a setting' }).ok).toBe(
      true,
    );
    expect(probeOutcome(adminPut, 400, { message: 'bad request' }).ok).toBe(false); // not the worker's validation
    const read = probes.find((p) => p.route === 'listIncidents' && p.role === 'Viewer')!;
    expect(probeOutcome(read, 200, { items: [] }).ok).toBe(true);
  });
});
