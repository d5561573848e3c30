import { CodedError } from './coded-error';

/** What went wrong, in the domain's words; src/http maps each code to a status and a problem type. */
export type DomainErrorCode =
  | 'validation-failed'
  | 'unauthorized'
  | 'invalid-credentials'
  | 'forbidden'
  | 'wrong-password'
  | 'not-found'
  | 'email-taken'
  | 'job-not-finished'
  | 'export-pending'
  | 'precondition-failed'
  | 'invalid-token'
  | 'too-many-requests'
  | 'unavailable';

/** Why credentials were refused, in RFC 6750 / RFC 6749 terms. */
export type CredentialsRefusal = 'invalid_token' | 'invalid_grant';

export interface DomainErrorFacts {
  /** The input at fault, as the caller named it (e.g. `new_password`, `cursor`). */
  field?: string;
  /** What is wrong with that input, e.g. `must be at least 8 bytes`. */
  issue?: string;
  /** When another attempt may succeed. */
  retryAfterSeconds?: number;
  refusal?: CredentialsRefusal;
  cause?: unknown;
}

/** The one error class modules throw: a code, a sentence for the caller, and the facts behind it. */
export class DomainError extends CodedError<DomainErrorCode> {
  readonly field: string | undefined;
  readonly issue: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly refusal: CredentialsRefusal | undefined;

  constructor(code: DomainErrorCode, detail: string, facts: DomainErrorFacts = {}) {
    super(code, detail, facts.cause);
    this.field = facts.field;
    this.issue = facts.issue;
    this.retryAfterSeconds = facts.retryAfterSeconds;
    this.refusal = facts.refusal;
  }

  /** An input the contract allows but the domain refuses. */
  static invalid(field: string, issue: string): DomainError {
    return new DomainError('validation-failed', `Invalid ${field}: ${issue}.`, { field, issue });
  }
}
