import type { components } from '../../../generated/openapi';
import type { UserWithPosts } from '../../modules/users';
import { presentPost } from './present-post';

export type UserBody = components['schemas']['User'];

export function presentUser(user: UserWithPosts): UserBody {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    email_verified: user.emailVerified,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    ...(user.posts ? { posts: user.posts.map(presentPost) } : {}),
  };
}
