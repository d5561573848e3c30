import { PRIVATE_REVALIDATE } from '../../etag';
import type { Handler } from '../../handler-types';
import { presentPost } from '../../presenters/present-post';

export const listPosts: Handler<'listPosts'> = async ({ query }, { services }) => {
  const page = await services.posts.list({
    limit: query.limit ?? 20,
    cursor: query.cursor,
    authorId: query.author_id,
  });
  return {
    status: 200,
    body: { items: page.items.map(presentPost), next_cursor: page.nextCursor },
    headers: { 'Cache-Control': PRIVATE_REVALIDATE },
  };
};
