/** Identifiers shared by every module: numbers and strings as the database issues them. */
export type UserId = number;
export type PostId = number;
export type JobId = number;
export type SessionId = string;
