import { etagOf, noneMatchHits, PRIVATE_REVALIDATE } from '../../etag';
import type { Handler } from '../../handler-types';
import { presentPost } from '../../presenters/present-post';

export const getPost: Handler<'getPost'> = async ({ params, headers }, { services }) => {
  const body = presentPost(await services.posts.get(params.post_id));
  const etag = etagOf(body);
  if (noneMatchHits(headers['if-none-match'], etag))
    return { status: 304, headers: { ETag: etag } };
  return { status: 200, body, headers: { ETag: etag, 'Cache-Control': PRIVATE_REVALIDATE } };
};
