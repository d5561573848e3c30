import { PRIVATE_REVALIDATE } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentUserFor } from '../../presenters/present-user';

export const listUsers: Handler<'listUsers'> = async ({ query }, context) => {
  const { users } = context.services;
  const page = await users.list(query.limit ?? 20, query.cursor, {
    includePosts: query.include === 'posts',
  });
  const present = presentUserFor(await users.privacyFor(principalOf(context)));
  return {
    status: 200,
    body: { items: page.items.map(present), next_cursor: page.nextCursor },
    headers: { 'Cache-Control': PRIVATE_REVALIDATE },
  };
};
