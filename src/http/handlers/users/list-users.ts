import { PRIVATE_REVALIDATE } from '../../etag';
import type { Handler } from '../../handler-types';
import { presentUser } from '../../presenters/present-user';

export const listUsers: Handler<'listUsers'> = async ({ query }, { services }) => {
  const page = await services.users.list(query.limit ?? 20, query.cursor, {
    includePosts: query.include === 'posts',
  });
  return {
    status: 200,
    body: { items: page.items.map(presentUser), next_cursor: page.nextCursor },
    headers: { 'Cache-Control': PRIVATE_REVALIDATE },
  };
};
