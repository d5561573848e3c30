import type { Request, Response } from 'express';
import { DomainError } from '../kernel/domain-error';
import { isUnavailable } from '../platform/database/pg-errors';
import type { Logger } from '../platform/logger';
import { AppError, type ValidationIssue } from './app-error';
import { problemFromDomain } from './domain-problems';
import { errorCodes, problemType, type ErrorCode } from './error-codes';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  charset?: string;
  encoding?: string;
}

/** When a client may retry after a dependency outage (a PostgreSQL restart takes seconds). */
const OUTAGE_RETRY_AFTER_SECONDS = 5;
/** One warning per interval for outage answers, with how many there were: not one per request. */
const OUTAGE_LOG_INTERVAL_MS = 5_000;
let outageLog = { at: 0, unlogged: 0 };

/** Maps anything thrown to an AppError; unknown errors become an opaque 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DomainError) return problemFromDomain(error);
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.too.large':
      return new AppError(
        'payload-too-large',
        `The body may be at most ${parserError.limit} bytes.`,
      );
    case 'entity.parse.failed':
      return new AppError(
        'malformed-body',
        'The body is not valid JSON (a JSON object is expected).',
      );
    case 'charset.unsupported':
      return new AppError(
        'unsupported-media-type',
        `The charset ${parserError.charset} is not supported; use utf-8.`,
      );
    case 'encoding.unsupported':
      return new AppError(
        'unsupported-media-type',
        `The content encoding ${parserError.encoding} is not supported.`,
      );
    case 'parameters.too.many':
      return new AppError('payload-too-large', 'The form has too many fields.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('malformed-body', 'The request body could not be read.');
  }
  if (isUnavailable(error)) {
    return new AppError(
      'unavailable',
      'The database is unavailable at the moment; nothing was changed. Try again shortly.',
      { headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) }, cause: error },
    );
  }
  return new AppError(
    'internal',
    'An unexpected error occurred. Quote the request id when reporting it.',
    {
      cause: error,
    },
  );
}

/** The one place an error becomes a response: RFC 9457 problem+json, internals never shown. */
export function sendProblem(req: Request, res: Response, error: unknown, logger: Logger): void {
  const appError = toAppError(error);
  const requestId = String(res.getHeader('X-Request-Id') ?? '');
  if (appError.code === 'unavailable') logOutage(logger, appError, requestId);
  else if (appError.status >= 500) {
    logger.error({ err: appError.cause ?? appError, requestId, path: req.path }, 'request failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(appError.status);
  for (const [name, value] of Object.entries(appError.headers)) res.setHeader(name, value);
  if (appError.status === 401) res.setHeader('WWW-Authenticate', bearerChallenge(appError));
  if (appError.status === 503 && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', '5');
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(
    JSON.stringify(
      problemBody(appError.code, appError.detail, req.path, requestId, appError.issues),
    ),
  );
}

function logOutage(logger: Logger, error: AppError, requestId: string): void {
  const now = Date.now();
  if (now - outageLog.at < OUTAGE_LOG_INTERVAL_MS) {
    outageLog.unlogged++;
    return;
  }
  const cause = error.cause instanceof Error ? error.cause.message : error.detail;
  logger.warn(
    { requestId, cause, alsoAnswered503: outageLog.unlogged },
    'answered 503: a dependency is unavailable',
  );
  outageLog = { at: now, unlogged: 0 };
}

/** RFC 6750 §3: the one place a 401's challenge is written. */
function bearerChallenge(error: AppError): string {
  const params = ['realm="inkwell"'];
  if (error.challenge) params.push(`error="${error.challenge}"`);
  if (error.challenge === 'invalid_token') params.push(`error_description="${error.detail}"`);
  return `Bearer ${params.join(', ')}`;
}

function problemBody(
  code: ErrorCode,
  detail: string,
  instance: string,
  requestId: string,
  issues: ValidationIssue[] | undefined,
) {
  const { status, title } = errorCodes[code];
  return {
    type: problemType(code),
    title,
    status,
    detail,
    instance,
    request_id: requestId,
    ...(issues ? { errors: issues } : {}),
  };
}
