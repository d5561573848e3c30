import type { components } from '../../generated/openapi';

export type ProblemType = components['schemas']['ProblemType'];
type Code = ProblemType extends `tag:inkwell,2026:problem/${infer C}` ? C : never;

/** The one registry of error kinds; the contract's ProblemType enum is its source of truth. */
export const errorCodes = {
  'validation-failed': { status: 400, title: 'Request validation failed' },
  'malformed-body': { status: 400, title: 'Malformed request body' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'invalid-credentials': { status: 401, title: 'Invalid credentials' },
  forbidden: { status: 403, title: 'Forbidden' },
  'wrong-password': { status: 403, title: 'Wrong current password' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'email-taken': { status: 409, title: 'E-mail already registered' },
  'job-not-finished': { status: 409, title: 'Job not finished' },
  'export-pending': { status: 409, title: 'An export is already pending' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'invalid-token': { status: 400, title: 'Invalid or expired token' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<Code, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function problemType(code: ErrorCode): ProblemType {
  return `tag:inkwell,2026:problem/${code}`;
}
