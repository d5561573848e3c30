import type { components } from '../../../generated/openapi';
import type { UserWithPosts } from '../../modules/users';
import { presentPost } from './present-post';

export type UserBody = components['schemas']['User'];
export type UserPublicBody = components['schemas']['UserPublic'];

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

/** What other users see: no e-mail address, no role, no verification state. */
export function presentPublicUser(user: UserWithPosts): UserPublicBody {
  return {
    id: user.id,
    name: user.name,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    ...(user.posts ? { posts: user.posts.map(presentPost) } : {}),
  };
}

/** The full user to whom `seesPrivate` allows it, the public profile to everyone else. */
export function presentUserFor(
  seesPrivate: (user: UserWithPosts) => boolean,
): (user: UserWithPosts) => UserBody | UserPublicBody {
  return (user) => (seesPrivate(user) ? presentUser(user) : presentPublicUser(user));
}
