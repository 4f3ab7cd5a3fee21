import { API_ROUTES, type ApiRoute, type ApiRouteName } from '@cursor-cost-watch/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseRequest } from './validate';

type ContractRoute<N extends ApiRouteName> = (typeof API_ROUTES)[N];
type Part = 'params' | 'query' | 'body';

/** A request part as the contract's schema parses it; undefined when the route declares no such part. */
type Parsed<R, K extends Part> = R extends Record<K, infer S extends z.ZodType> ? z.output<S> : undefined;

/** What a handler gets: the request's params, query and body, each already parsed with the route's schema. */
export interface RouteInput<N extends ApiRouteName> {
  params: Parsed<ContractRoute<N>, 'params'>;
  query: Parsed<ContractRoute<N>, 'query'>;
  body: Parsed<ContractRoute<N>, 'body'>;
}

/** The body route N answers on success, as it goes on the wire (the input the plugin's response schema parses). */
export type RouteBody<N extends ApiRouteName> = z.input<ContractRoute<N>['response']>;

/** The error body toHttpError writes (errors.ts), for the few refusals a handler answers itself. */
export interface RefusalBody {
  error: string;
  message: string;
}

/** An answer other than 200 with JSON: a status of its own (201, 202, 503), a refusal, or text (the chargeback CSV). */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A handler answers its route's response shape, that shape with another status, a refusal, or text. */
export type RouteAnswer<N extends ApiRouteName> =
  RouteBody<N> | Reply<RouteBody<N>> | Reply<RefusalBody> | Reply<string>;

export type RouteHandler<N extends ApiRouteName> = (
  input: RouteInput<N>,
  req: FastifyRequest,
) => Promise<RouteAnswer<N>>;

/** One handler per contract route: a route of API_ROUTES without one is a type error where the server builds them. */
export type RouteHandlers = { [N in ApiRouteName]: RouteHandler<N> };

/** The parts some handler checks itself or leaves unread, named with the reason (see serveContract's `unparsed`). */
export type UnparsedParts = Partial<Record<ApiRouteName, { part: Part; why: string }>>;

type AnyHandler = (input: Record<Part, unknown>, req: FastifyRequest) => Promise<unknown>;

function register(app: FastifyInstance, route: ApiRoute, handler: AnyHandler, skip?: Part): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      // In the order the handlers always checked them: a bad path parameter is named before a bad body.
      const parse = (part: Part, value: unknown) => {
        const schema = route[part];
        return schema && part !== skip ? parseRequest(schema, value, part) : undefined;
      };
      const input = {
        params: parse('params', req.params),
        query: parse('query', req.query),
        body: parse('body', req.body),
      };
      const answer = await handler(input, req);
      if (!(answer instanceof Reply)) return answer;
      reply.status(answer.status);
      for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
      return reply.send(answer.body);
    },
  });
}

/**
 * Serves every route of the contract's API_ROUTES (method, path) with its handler. The contract's role for each is
 * enforced by roleRefusal in the server's preValidation hook; a bad part is a 400 naming the field (parseRequest).
 */
export function serveContract(app: FastifyInstance, handlers: RouteHandlers, unparsed: UnparsedParts = {}): void {
  for (const name of Object.keys(API_ROUTES) as ApiRouteName[]) {
    register(app, API_ROUTES[name], handlers[name] as AnyHandler, unparsed[name]?.part);
  }
}
