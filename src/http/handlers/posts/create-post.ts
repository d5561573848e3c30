import { etagOf } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentPost } from '../../presenters/present-post';

export const createPost: Handler<'createPost'> = async ({ body }, context) => {
  const post = presentPost(await context.services.posts.create(principalOf(context), body));
  return {
    status: 201,
    body: post,
    headers: { Location: `/api/v1/posts/${post.id}`, ETag: etagOf(post) },
  };
};
