import { API_ROUTES, type ApiRoute, type RouteRole } from '@cursor-cost-watch/contract';

/** Grafana's org roles (pkg/apimachinery/identity role.go RoleType). */
export type OrgRole = 'None' | 'Viewer' | 'Editor' | 'Admin';

/** role.go rolePrecedence: a role includes every role of lower precedence. */
const PRECEDENCE: Record<OrgRole, number> = { None: 10, Viewer: 20, Editor: 30, Admin: 40 };

export const isOrgRole = (v: unknown): v is OrgRole => typeof v === 'string' && Object.hasOwn(PRECEDENCE, v);

/** role.go (RoleType).Includes, the check hasAccessToRoute makes for a plugin route's reqRole. */
export const roleIncludes = (have: OrgRole, want: Exclude<RouteRole, 'public'>) => PRECEDENCE[have] >= PRECEDENCE[want];

/** The contract's route for a Fastify route pattern: the same API_ROUTES that plugin.json's reqRole is checked against. */
const BY_PATTERN = new Map<string, ApiRoute>(
  Object.values(API_ROUTES).map((r: ApiRoute) => [`${r.method} ${r.path}`, r]),
);

export function contractRoute(method: string, pattern: string | undefined): ApiRoute | undefined {
  return pattern === undefined ? undefined : BY_PATTERN.get(`${method.toUpperCase()} ${pattern}`);
}

/** The 403 a request gets when its identity's org role is below the contract's role for the route, or null. */
export function roleRefusal(
  method: string,
  pattern: string | undefined,
  who: { actor: string; role: OrgRole; verified: boolean },
): string | null {
  if (pattern === undefined) return null; // no such route: the 404 handler answers
  // Fastify answers HEAD with the GET route. A route missing from the contract has no role: closed, not open.
  const route = contractRoute(method === 'HEAD' ? 'GET' : method, pattern);
  if (route === undefined) return `${method} ${pattern} is not in the API contract, so no role may call it`;
  if (route.role === 'public' || roleIncludes(who.role, route.role)) return null;
  const source = who.verified ? "by Grafana's signed ID token" : 'by X-Grafana-Context, unverified';
  return `${route.method} ${route.path} needs the Grafana org role ${route.role} or higher; ${who.actor} is ${who.role} (${source})`;
}
