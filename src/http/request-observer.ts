import { trace } from '@opentelemetry/api';
import type { Request, Response } from 'express';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';

/**
 * Latency metric and access line of a request (known by its id), with one listener per request.
 * No per-request child logger and no serialised request: the access line is a flat record, built
 * only when `info` is on (5xx details are logged where the error is turned into a response).
 *
 * With `tracing`, the request's server span (made by the HTTP instrumentation) is kept in
 * `res.locals.span` for the router to name, carries the request id (`inkwell.request_id`), and its
 * trace id goes into the access line (`traceId`): a log line leads to its trace and back.
 */
export function observeRequests(
  logger: Logger,
  metrics: Metrics,
  options: { tracing?: boolean } = {},
): (req: Request, res: Response, requestId: string) => void {
  const accessLines = logger.isLevelEnabled('info');
  const { tracing = false } = options;
  return (req, res, requestId) => {
    const started = performance.now();
    const traceId = tracing ? followSpan(res, requestId) : undefined;
    res.once('finish', () => {
      const ms = performance.now() - started;
      const status = res.statusCode;
      const operation = (res.locals.operationId as string | undefined) ?? 'none';
      metrics.observeRequest(operation, req.method, status, ms / 1000);
      if (status === 503) {
        // An outage answers every request with 503: one line each at `info`, like any other,
        // while the cause is warned about, throttled, where the problem is written.
        if (accessLines) {
          logger.info(
            { requestId, method: req.method, url: req.originalUrl, status, ms },
            'request refused: unavailable',
          );
        }
      } else if (status >= 500) {
        logger.error(
          { requestId, traceId, method: req.method, url: req.originalUrl, status, ms },
          'request failed',
        );
      } else if (accessLines) {
        logger.info(
          { requestId, traceId, method: req.method, url: req.originalUrl, status, ms },
          'request completed',
        );
      }
    });
  };
}

function followSpan(res: Response, requestId: string): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  res.locals.span = span;
  span.setAttribute('inkwell.request_id', requestId);
  return span.spanContext().traceId;
}
