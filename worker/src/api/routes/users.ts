import type { ApiDeps } from '../deps';
import { searchUsers, userDetail } from '../queries/users';
import type { RouteHandlers } from '../route';

export function userHandlers({ db, now }: ApiDeps): Pick<RouteHandlers, 'searchUsers' | 'getUser'> {
  return {
    searchUsers: async ({ query }) => searchUsers(db, query, now()),
    getUser: async ({ params }) => userDetail(db, params.email, now()),
  };
}
