import type { Operation } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { DomainError, type DomainErrorCode } from '../kernel/domain-error';
import { AppError, type IssueLocation } from './app-error';
import type { ErrorCode } from './error-codes';

/** Every domain code is one of the contract's problem types: a new code fails to compile here. */
const PROBLEM_OF: { [C in DomainErrorCode]: C & ErrorCode } = {
  'validation-failed': 'validation-failed',
  unauthorized: 'unauthorized',
  'invalid-credentials': 'invalid-credentials',
  forbidden: 'forbidden',
  'wrong-password': 'wrong-password',
  'not-found': 'not-found',
  'email-taken': 'email-taken',
  'job-not-finished': 'job-not-finished',
  'export-pending': 'export-pending',
  'precondition-failed': 'precondition-failed',
  'invalid-token': 'invalid-token',
  'too-many-requests': 'too-many-requests',
  unavailable: 'unavailable',
};

/** Where a field the domain names is in the request: a parameter of the operation, else the body. */
export function fieldLocator(operation: Operation | undefined) {
  const parameters = (operation?.parameters ?? []) as OpenAPIV3.ParameterObject[];
  return (field: string): IssueLocation => {
    const parameter = parameters.find((p) => p.name === field);
    return parameter && parameter.in !== 'cookie' ? (parameter.in as IssueLocation) : 'body';
  };
}

/**
 * The one mapping from a domain error to a problem: the status and title come with the code
 * (error-codes.ts), the field becomes a JSON pointer where the request carries it, the retry
 * delay a `Retry-After` header, the refusal the 401's challenge.
 */
export function problemFromDomain(
  error: DomainError,
  locate: (field: string) => IssueLocation = () => 'body',
): AppError {
  const code = PROBLEM_OF[error.code];
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.retryAfterSeconds);
  }
  const options = { headers, challenge: error.refusal };
  if (error.field === undefined) return new AppError(code, error.detail, options);
  const location = locate(error.field);
  const pointer = `/${error.field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const message = error.issue ?? error.detail;
  const detail =
    code === 'validation-failed'
      ? `Invalid ${location} value at ${pointer}: ${message}.`
      : error.detail;
  return new AppError(code, detail, { ...options, issues: [{ location, pointer, message }] });
}
