import type { ErrorObject } from 'ajv';
import { AppError, type IssueLocation, type ValidationIssue } from './app-error';

const LOCATIONS: Record<string, IssueLocation> = {
  requestBody: 'body',
  query: 'query',
  path: 'path',
  header: 'header',
};

/** At most this many issues are listed; the detail counts the rest (no amplification). */
const MAX_LISTED_ISSUES = 20;

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Turns openapi-backend's Ajv errors into issues that say where (location + JSON pointer) and what. */
export function toValidationError(errors: ErrorObject[]): AppError {
  const issues = errors.map(toIssue);
  const unique = issues.filter(
    (issue, index) => issues.findIndex((other) => sameIssue(other, issue)) === index,
  );
  const noun = unique.length === 1 ? 'value' : 'values';
  const listed = unique.slice(0, MAX_LISTED_ISSUES);
  const more = unique.length - listed.length;
  return new AppError(
    'validation-failed',
    `The request has ${unique.length} invalid ${noun}: ${listed
      .map((issue) => `${issue.location} ${issue.pointer || '(root)'} ${issue.message}`)
      .join('; ')}${more > 0 ? `; and ${more} more, not listed` : ''}.`,
    { issues: listed },
  );
}

function toIssue(error: ErrorObject): ValidationIssue {
  const [, top = '', ...rest] = error.instancePath.split('/');
  let location = LOCATIONS[top];
  let pointer = rest.length ? `/${rest.join('/')}` : '';
  let message = error.message ?? 'is invalid';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && location === undefined) {
    // The request as a whole is missing a part, e.g. the body.
    location = LOCATIONS[String(params.missingProperty)] ?? 'body';
    return { location, pointer: '', message: 'is required' };
  }
  if (error.keyword === 'required') {
    pointer += `/${escapePointer(String(params.missingProperty))}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer += `/${escapePointer(String(params.additionalProperty))}`;
    message = location === 'body' ? 'is not a known field' : 'is not a known parameter';
  } else if (error.keyword === 'parse') {
    message = 'is not valid JSON';
  }
  return { location: location ?? 'body', pointer, message };
}

function sameIssue(a: ValidationIssue, b: ValidationIssue): boolean {
  return a.location === b.location && a.pointer === b.pointer && a.message === b.message;
}

/**
 * PostgreSQL text cannot hold U+0000, so a string carrying it is bad input, refused with a pointer
 * to it, rather than a failed write.
 */
export function assertNoNulCharacters(location: IssueLocation, value: unknown, pointer = ''): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw AppError.invalid(location, pointer, 'must not contain the NUL character (U+0000)');
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    assertNoNulCharacters(location, inner, `${pointer}/${escapePointer(key)}`);
  }
}
