import { principalOf, type Handler } from '../../handler-types';

export const deletePost: Handler<'deletePost'> = async ({ params }, context) => {
  await context.services.posts.remove(principalOf(context), params.post_id);
  return { status: 204 };
};
