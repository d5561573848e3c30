import { etagOf, noneMatchHits, PRIVATE_REVALIDATE } from '../../etag';
import type { Handler } from '../../handler-types';
import { presentUser } from '../../presenters/present-user';

export const getUser: Handler<'getUser'> = async ({ params, query, headers }, { services }) => {
  const user = await services.users.get(params.user_id, {
    includePosts: query.include === 'posts',
  });
  const body = presentUser(user);
  const etag = etagOf(body);
  if (noneMatchHits(headers['if-none-match'], etag))
    return { status: 304, headers: { ETag: etag } };
  return { status: 200, body, headers: { ETag: etag, 'Cache-Control': PRIVATE_REVALIDATE } };
};
