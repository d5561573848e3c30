import type { Role } from '../../kernel/role';

/** A user as the domain sees it; the password hash never leaves the repository layer's callers. */
export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
}
