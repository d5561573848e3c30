import type { components } from '../../../generated/openapi';
import type { Post } from '../../modules/posts';

export type PostBody = components['schemas']['Post'];

export function presentPost(post: Post): PostBody {
  return {
    id: post.id,
    author_id: post.authorId,
    title: post.title,
    body: post.body,
    created_at: post.createdAt.toISOString(),
    updated_at: post.updatedAt.toISOString(),
  };
}
