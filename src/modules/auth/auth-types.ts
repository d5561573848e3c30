import type { Role } from '../users/user-types';

/** Who is calling: the user and the session their access token belongs to. */
export interface Principal {
  userId: number;
  sessionId: string;
  role: Role;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
}
