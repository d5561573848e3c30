import type { components } from '../../../generated/openapi';
import type { User } from '../../modules/users/user-types';

export type UserBody = components['schemas']['User'];

export function presentUser(user: User): UserBody {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    email_verified: user.emailVerified,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
