import { etagOf, noneMatchHits, PRIVATE_REVALIDATE } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentUserFor } from '../../presenters/present-user';

export const getUser: Handler<'getUser'> = async ({ params, query, headers }, context) => {
  const { users } = context.services;
  const user = await users.get(params.user_id, { includePosts: query.include === 'posts' });
  const body = presentUserFor(await users.privacyFor(principalOf(context)))(user);
  const etag = etagOf(body);
  if (noneMatchHits(headers['if-none-match'], etag))
    return { status: 304, headers: { ETag: etag } };
  return { status: 200, body, headers: { ETag: etag, 'Cache-Control': PRIVATE_REVALIDATE } };
};
