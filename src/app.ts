import express, { type NextFunction, type Request, type Response } from 'express';
import type { Container } from './container';
import { compileRequestValidators, createApi, type ApiResult } from './http/create-api';
import { docsRouter } from './http/docs';
import { backendRequest, bodyParsers, contractRoutes, sendResult } from './http/express-adapter';
import { Draining } from './http/draining';
import { InFlight } from './http/in-flight';
import { metricsRouter } from './http/metrics-route';
import { securityHeaders } from './http/security-headers';
import { operationHandlers } from './http/operation-handlers';
import { sendProblem } from './http/problem-details';
import { observeRequests } from './http/request-observer';
import { createBearerAuth } from './http/security/bearer-auth';
import { loadContract } from './platform/contract';

/** Builds the HTTP app without listening, so tests and the process entry build the same thing. */
export async function buildApp(
  container: Container,
  contract = loadContract(),
): Promise<express.Express> {
  const { config, logger, services } = container;
  const api = await createApi(contract, operationHandlers, {
    services,
    logger,
    authenticate: createBearerAuth((token) => services.sessions.check(token)),
  });

  const inFlight = new InFlight();
  const draining = new Draining();
  const app = express();
  app.locals.inFlight = inFlight;
  // For the process entry to start once it listens (tests compile on demand).
  app.locals.compileValidators = () => compileRequestValidators(api);
  app.locals.draining = draining;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(draining.middleware());
  app.use(securityHeaders());
  app.use(observeRequests(logger, container.metrics, { tracing: config.tracing !== undefined }));
  app.use(bodyParsers(api, config.http.bodyLimitBytes));
  if (config.metrics.where === 'api') {
    app.use(metricsRouter(container.metrics, config.metrics.token));
  }
  app.use(contractRoutes(contract));
  app.use(docsRouter());

  app.use((req: Request, res: Response) =>
    inFlight.track(
      (async () => {
        const result = (await api.handleRequest(backendRequest(req), req, res)) as ApiResult;
        await sendResult(res, result);
      })(),
    ),
  );

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendProblem(req, res, error, logger);
  });
  return app;
}
