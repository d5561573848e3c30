export { emailKey } from './email-address';
export { PasswordHasher } from './password-hasher';
export { UserCredentials } from './user-credentials';
export {
  UserService,
  type ProfileChanges,
  type Registration,
  type UserWithPosts,
} from './user-service';
export type { User } from './user-types';
export { createUsersModule } from './users-module';
