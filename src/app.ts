import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import typeis from 'type-is';
import { pinoHttp } from 'pino-http';
import type { Container } from './container';
import { acceptedBodyTypes, createApi, type ApiResult } from './http/create-api';
import { docsRouter } from './http/docs';
import { InFlight } from './http/in-flight';
import { operationHandlers } from './http/operation-handlers';
import { sendProblem } from './http/problem-details';
import { assignRequestId } from './http/request-id';
import { createBearerAuth } from './http/security/bearer-auth';
import { loadContract } from './platform/contract';
import { stringify } from 'yaml';

/** Builds the HTTP app without listening, so tests and the process entry build the same thing. */
export async function buildApp(container: Container): Promise<express.Express> {
  const { config, logger, services } = container;
  const contract = loadContract();
  const api = await createApi(contract, operationHandlers, {
    services,
    logger,
    authenticate: createBearerAuth(container.tokens, services.sessions),
  });
  const contractJson = JSON.stringify(contract);
  const contractYaml = stringify(contract);

  const inFlight = new InFlight();
  const app = express();
  app.locals.inFlight = inFlight;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => assignRequestId(req, res),
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  const limit = config.http.bodyLimitBytes;
  const expects = (mediaType: string) => (req: IncomingMessage) =>
    acceptedBodyTypes(api, req as Request).includes(mediaType) &&
    typeis(req, [mediaType]) !== false;
  app.use(express.json({ limit, strict: true, type: expects('application/json') }));
  app.use(
    express.urlencoded({
      limit,
      extended: false,
      parameterLimit: 50,
      type: expects('application/x-www-form-urlencoded'),
    }),
  );

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const operation = (res.locals.operationId as string | undefined) ?? 'none';
      container.metrics.observeRequest(
        { operation, method: req.method, status: res.statusCode },
        seconds,
      );
    });
    next();
  });
  app.get('/metrics', async (_req, res) => {
    res
      .type(container.metrics.registry.contentType)
      .send(await container.metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(contractJson);
  });
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(contractYaml);
  });
  app.use(docsRouter());

  app.use(async (req: Request, res: Response) => {
    const result = (await inFlight.track(
      api.handleRequest(
        {
          method: req.method === 'HEAD' ? 'get' : req.method,
          path: req.path,
          body: req.body,
          query: req.query as Record<string, string | string[]>,
          headers: req.headers as Record<string, string | string[]>,
        },
        req,
        res,
      ),
    )) as ApiResult;
    await inFlight.track(send(res, result));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendProblem(req, res, error, logger);
  });
  return app;
}

async function send(res: Response, result: ApiResult): Promise<void> {
  res.status(result.status);
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (value !== undefined) res.setHeader(name, value);
  }
  if (result.stream) {
    res.type('application/json');
    for await (const piece of result.stream) {
      // Respect backpressure: wait for the socket to drain before reading the next piece.
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } else if (result.body === undefined) {
    res.end();
  } else {
    res.json(result.body);
  }
}
