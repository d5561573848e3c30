import { etagOf, noneMatchHits, PRIVATE_REVALIDATE } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentUserFor } from '../../presenters/present-user';

export const getUser: Handler<'getUser'> = async ({ params, query, headers }, context) => {
  const { users } = context.services;
  // Both reads at once: with the session check, one Redis round trip when they are cached.
  const [user, privacy] = await Promise.all([
    users.get(params.user_id, { includePosts: query.include === 'posts' }),
    users.privacyFor(principalOf(context), params.user_id),
  ]);
  const body = presentUserFor(privacy)(user);
  const etag = etagOf(body);
  if (noneMatchHits(headers['if-none-match'], etag))
    return { status: 304, headers: { ETag: etag } };
  return { status: 200, body, headers: { ETag: etag, 'Cache-Control': PRIVATE_REVALIDATE } };
};
