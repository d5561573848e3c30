import express, { type NextFunction, type Request, type Response } from 'express';
import OpenAPIBackend from 'openapi-backend';
import { pinoHttp } from 'pino-http';
import type { Services } from '../services';
import { createApi } from '../http/create-api';
import { docsRouter } from '../http/docs';
import { bodyParsers, contractRoutes, sendResult } from '../http/express-adapter';
import type { HandlerMap } from '../http/handler-types';
import { sendProblem } from '../http/problem-details';
import { assignRequestId } from '../http/request-id';
import type { Authenticate } from '../http/security/bearer-auth';
import { AppError } from '../http/app-error';
import { loadContract } from '../platform/contract';
import { createLogger, type Logger } from '../platform/logger';
import { aboutThisResource, mockResponse, parsePrefer, personalize } from './mock-response';

export interface MockServerOptions {
  logger?: Logger;
  bodyLimitBytes?: number;
}

/** Any `Authorization: Bearer <something>` passes: the mock checks that a token is sent, not whose. */
const acceptAnyBearer: Authenticate = (authorization) => {
  if (!/^Bearer \S+/i.test(authorization ?? '')) {
    throw new AppError(
      'unauthorized',
      'Send an access token as "Authorization: Bearer <token>" (the mock accepts any).',
    );
  }
  const principal = { userId: 42, sessionId: '00000000-0000-4000-8000-000000000000' };
  return { principal, live: Promise.resolve(principal) };
};

/**
 * The whole contract served from its examples, with no database and no cache. Routing, security,
 * request validation and problem+json errors are the real server's (the same createApi); only the
 * handlers differ. `Prefer: code=404` picks another documented response.
 */
export async function createMockServer(options: MockServerOptions = {}): Promise<express.Express> {
  const logger = options.logger ?? createLogger('silent');
  const contract = loadContract();
  const mocker = new OpenAPIBackend({ definition: loadContract(), validate: false });
  await mocker.init();
  const handlers = Object.fromEntries(
    mocker.router
      .getOperations()
      .map(({ operationId = '' }) => [
        operationId,
        async (request: { headers: Request['headers']; params: Record<string, unknown> }) =>
          aboutThisResource(
            mockResponse(mocker, operationId, parsePrefer(request.headers.prefer)),
            request.params,
          ),
      ]),
  ) as unknown as HandlerMap;
  // The handlers above use no service: the mock has none.
  const api = await createApi(
    loadContract(),
    handlers,
    {
      services: {} as Services,
      logger,
      authenticate: acceptAnyBearer,
      bodyParsers: bodyParsers(options.bodyLimitBytes ?? 1024 * 1024),
    },
    {
      // The request id (pino-http) and X-Mock are set as for any other path.
      begin: (_req, res) => ({ requestId: String(res.getHeader('X-Request-Id')), head: [] }),
      send: (req, res, answer, { requestId }) =>
        sendResult(res, personalize(answer, req.path, requestId)),
      fail: (req, res, error) => sendProblem(req, res, error, logger),
    },
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(pinoHttp({ logger, genReqId: (req, res) => assignRequestId(req, res) }));
  app.use((_req, res, next) => {
    res.setHeader('X-Mock', 'inkwell');
    next();
  });
  app.use(api.handle);
  app.use(contractRoutes(contract));
  app.use(docsRouter());
  app.use(api.notFound);
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendProblem(req, res, error, logger);
  });
  return app;
}
