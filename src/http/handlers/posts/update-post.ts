import { etagOf, matchHits } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentPost } from '../../presenters/present-post';

export const updatePost: Handler<'updatePost'> = async ({ params, headers, body }, context) => {
  const ifMatch = headers['if-match'];
  const precondition =
    ifMatch === undefined
      ? undefined
      : (current: Parameters<typeof presentPost>[0]) =>
          matchHits(ifMatch, etagOf(presentPost(current)));
  const post = await context.services.posts.update(
    principalOf(context),
    params.post_id,
    body,
    precondition,
  );
  const presented = presentPost(post);
  return { status: 200, body: presented, headers: { ETag: etagOf(presented) } };
};
