import { errorCodes, type ErrorCode } from './error-codes';

export type IssueLocation = 'body' | 'query' | 'path' | 'header';

export interface ValidationIssue {
  location: IssueLocation;
  pointer: string;
  message: string;
}

/** Why credentials were refused, in RFC 6750 / RFC 6749 terms (the 401 challenge's `error`). */
export type AuthChallenge = 'invalid_token' | 'invalid_grant';

export interface AppErrorOptions {
  issues?: ValidationIssue[];
  headers?: Record<string, string>;
  challenge?: AuthChallenge;
  cause?: unknown;
}

/** A problem a request ends in; http/problem-details renders it. Modules throw DomainError. */
export class AppError extends Error {
  readonly status: number;
  readonly issues: ValidationIssue[] | undefined;
  readonly headers: Record<string, string>;
  readonly challenge: AuthChallenge | undefined;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.status = errorCodes[code].status;
    this.issues = options.issues;
    this.headers = options.headers ?? {};
    this.challenge = options.challenge;
  }

  static invalid(location: IssueLocation, pointer: string, message: string): AppError {
    return new AppError(
      'validation-failed',
      `Invalid ${location} value at ${pointer || '(root)'}: ${message}.`,
      {
        issues: [{ location, pointer, message }],
      },
    );
  }
}
