import { errorCodes, type ErrorCode } from './error-codes';

export type IssueLocation = 'body' | 'query' | 'path' | 'header';

export interface ValidationIssue {
  location: IssueLocation;
  pointer: string;
  message: string;
}

export interface AppErrorOptions {
  issues?: ValidationIssue[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error class the domain throws; http/problem-details renders it. */
export class AppError extends Error {
  readonly status: number;
  readonly issues: ValidationIssue[] | undefined;
  readonly headers: Record<string, string>;

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
