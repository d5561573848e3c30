import { CodedError } from '../kernel/coded-error';
import type { CredentialsRefusal } from '../kernel/domain-error';
import { errorCodes, type ErrorCode } from './error-codes';

export type IssueLocation = 'body' | 'query' | 'path' | 'header';

export interface ValidationIssue {
  location: IssueLocation;
  pointer: string;
  message: string;
}

/** Why credentials were refused: the 401 challenge's `error`, as the domain names it. */
export type AuthChallenge = CredentialsRefusal;

export interface AppErrorOptions {
  issues?: ValidationIssue[];
  headers?: Record<string, string>;
  challenge?: AuthChallenge;
  cause?: unknown;
}

/**
 * A problem a request ends in, with its status and headers; http/problem-details renders it.
 * Modules throw DomainError, which http/domain-problems turns into one of these.
 */
export class AppError extends CodedError<ErrorCode> {
  readonly status: number;
  readonly issues: ValidationIssue[] | undefined;
  readonly headers: Record<string, string>;
  readonly challenge: AuthChallenge | undefined;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(code, detail, options.cause);
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
