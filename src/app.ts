import { IncomingMessage, ServerResponse, type RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Container } from './container';
import { createApi } from './http/create-api';
import { docsRouter } from './http/docs';
import type { ServerClasses } from './http/listen';
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
  const classes = expressClasses(app);
  app.locals.serverClasses = classes;
  app.locals.listener = contractFirst(app, classes, api.handle);
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

/** What a server built from the app listens with (see contractFirst). */
export function requestListenerOf(app: express.Express): RequestListener {
  return app.locals.listener as RequestListener;
}

/** The request and response classes a server built from the app makes (see expressClasses). */
export function serverClassesOf(app: express.Express): ServerClasses {
  return app.locals.serverClasses as ServerClasses;
}

/**
 * node:http's request and response classes with the app's prototypes (express's `req` and `res`
 * methods) in their chain from the start. express sets them on each request instead; V8 answers
 * a change of an object's prototype with a slower copy of it (1.4 KB per request, most of it
 * outliving the request's first scavenge). A server created with these needs no change.
 */
function expressClasses(app: express.Express): ServerClasses {
  class ExpressRequest extends IncomingMessage {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  class ExpressResponse<R extends IncomingMessage> extends ServerResponse<R> {
    locals: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  }
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse };
}

/**
 * The server's request listener: express, with a request for an operation of the contract handed
 * straight to the API. Routing those is the contract's business (openapi-backend's operations);
 * express's router would only pass every such request to its first middleware, the API, after
 * matching it against that middleware's mount path. The request and response get what express
 * gives them (its prototypes: `req.ip` under `trust proxy`, `res.locals`) as `app.handle` does,
 * already from their classes when the server was made with `serverClassesOf(app)`; any other
 * request goes through express as a whole.
 */
function contractFirst(
  app: express.Express,
  classes: ServerClasses,
  handle: (req: Request, res: Response, next: NextFunction) => void,
): RequestListener {
  return (incoming, outgoing) => {
    const req = incoming as Request;
    const res = outgoing as Response;
    req.res = res;
    if (!(incoming instanceof classes.IncomingMessage)) {
      res.req = req;
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      res.locals ??= Object.create(null) as Response['locals'];
    }
    handle(req, res, () => app(req, res));
  };
}
