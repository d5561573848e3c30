import type { SessionId, UserId } from './ids';

/**
 * Who is calling: the user and the session their access token belongs to. No role: decisions that
 * depend on it read the user's current role, so a change applies at once.
 */
export interface Principal {
  userId: UserId;
  sessionId: SessionId;
}
