import express, { type NextFunction, type Request, type Response } from 'express';
import type { Container } from './container';
import { createApi } from './http/create-api';
import { docsRouter } from './http/docs';
import { applyHeaders, bodyParsers, contractRoutes, sendResult } from './http/express-adapter';
import { Draining } from './http/draining';
import { InFlight } from './http/in-flight';
import { metricsRouter } from './http/metrics-route';
import { securityHeaders } from './http/security-headers';
import { operationHandlers } from './http/operation-handlers';
import { sendProblem } from './http/problem-details';
import { requestIdOf } from './http/request-id';
import { observeRequests } from './http/request-observer';
import { createBearerAuth } from './http/security/bearer-auth';
import { loadContract } from './platform/contract';

/**
 * Builds the HTTP app without listening, so tests and the process entry build the same thing.
 *
 * The API is express's first middleware: a request for an operation of the contract is answered
 * there, through one route lookup; only other paths (/metrics, /openapi.json, /docs) go on
 * through express's router.
 */
export async function buildApp(
  container: Container,
  contract = loadContract(),
): Promise<express.Express> {
  const { config, logger, services } = container;
  const inFlight = new InFlight();
  const draining = new Draining();
  const headers = securityHeaders();
  const observe = observeRequests(logger, container.metrics, {
    tracing: config.tracing !== undefined,
  });
  // Every response: the security headers, the request id, and `Connection: close` once draining.
  const begin = (req: Request, res: Response) => {
    const requestId = requestIdOf(req);
    observe(req, res, requestId);
    const head = [...headers, 'X-Request-Id', requestId];
    return { requestId, head };
  };
  const closing = (head: string[]) => {
    if (draining.closing) head.push('Connection', 'close');
    return head;
  };
  const api = await createApi(
    contract,
    operationHandlers,
    {
      services,
      logger,
      authenticate: createBearerAuth((token) => services.sessions.check(token)),
      bodyParsers: bodyParsers(config.http.bodyLimitBytes),
      inFlight,
    },
    {
      begin,
      send: (_req, res, result, { head }) => sendResult(res, result, closing(head)),
      fail: (req, res, error, { head }) => {
        applyHeaders(res, closing(head));
        sendProblem(req, res, error, logger);
      },
    },
  );

  const app = express();
  app.locals.inFlight = inFlight;
  // For the process entry to start once it listens (tests compile on demand).
  app.locals.compileValidators = () => api.compileValidators();
  app.locals.draining = draining;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(api.handle);
  app.use((req: Request, res: Response, next: NextFunction) => {
    applyHeaders(res, begin(req, res).head);
    draining.mark(res);
    next();
  });
  if (config.metrics.where === 'api') {
    app.use(metricsRouter(container.metrics, config.metrics.token));
  }
  app.use(contractRoutes(contract));
  app.use(docsRouter());
  app.use(api.notFound);
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    draining.mark(res);
    sendProblem(req, res, error, logger);
  });
  return app;
}
