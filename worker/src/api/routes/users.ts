import { userEmailParamsSchema, userSearchQuerySchema } from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { searchUsers, userDetail } from '../queries/users';
import { parseRequest } from '../validate';

export function userRoutes(app: FastifyInstance, { db, now }: ApiDeps) {
  app.get('/api/users', async (req) => searchUsers(db, parseRequest(userSearchQuerySchema, req.query, 'query'), now()));
  app.get('/api/users/:email', async (req) => {
    const { email } = parseRequest(userEmailParamsSchema, req.params, 'params');
    return userDetail(db, email, now());
  });
}
