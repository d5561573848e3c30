import type { Span } from '@opentelemetry/api';
import addFormats from 'ajv-formats';
import type { Request, Response } from 'express';
import OpenAPIBackend, { OpenAPIValidator, type Context, type Operation } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import type { Services } from '../services';
import type { Principal } from '../kernel/principal';
import { DomainError } from '../kernel/domain-error';
import type { Logger } from '../platform/logger';
import { AppError } from './app-error';
import { fieldLocator, problemFromDomain } from './domain-problems';
import type { HandlerContext, HandlerMap, OperationId, OperationRequest } from './handler-types';
import { compileRouter } from './compiled-router';
import type { Authenticate } from './security/bearer-auth';
import { assertStrictIntegers, integerParameters, type IntegerParameters } from './strict-integers';
import { assertNoNulCharacters, toValidationError } from './validation-issues';

export interface ApiResult {
  status: number;
  body?: unknown;
  stream?: AsyncIterable<string>;
  headers?: Partial<Record<string, string>>;
}

export interface ApiDeps {
  services: Services;
  logger: Logger;
  authenticate: Authenticate;
}

/**
 * The contract's two schemes carry the same access token (OAuth2Password only tells `/docs` how to
 * get one), and every secured operation accepts either: one handler, registered for bearerAuth,
 * authenticates each request once.
 */
const ACCESS_TOKEN_SCHEME = 'bearerAuth';
/** Reads may start while the session check is in flight; their answer waits for it. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * openapi-backend routes, authenticates and validates every request against the contract. Strict
 * mode and every safety handler: nothing unvalidated or unauthenticated reaches an operation.
 */
export async function createApi(
  definition: OpenAPIV3.Document,
  handlers: HandlerMap,
  deps: ApiDeps,
) {
  const ajv = {
    coerceTypes: true,
    ajvOpts: { allErrors: true },
    customizeAjv: (instance: Parameters<typeof addFormats>[0]) => {
      addFormats(instance);
      return instance;
    },
  };
  // The validator is built after init, for requests only (see requestValidator).
  const api = new OpenAPIBackend({ definition, strict: true, validate: false, ...ajv });

  // The revocation check of a read still in flight, awaited before anything is answered.
  const sessionChecks = new WeakMap<Request, Promise<Principal>>();
  const sessionConfirmed = (req: Request) => sessionChecks.get(req);

  api.register({
    notFound: (c: Context) => {
      throw new AppError('not-found', `No resource at ${c.request.path}.`);
    },
    methodNotAllowed: (c: Context) => {
      const allow = allowedMethods(api.router.getOperations(), c.request.path);
      throw new AppError(
        'method-not-allowed',
        `${c.request.method.toUpperCase()} is not supported here; use ${allow}.`,
        {
          headers: { Allow: allow },
        },
      );
    },
    postRoutingHandler: (c: Context, req: Request, res: Response) => {
      if (!c.operation) return;
      res.locals.operationId = c.operation.operationId;
      // Traced: the server span is named once the route is known (instead of just its method).
      const span = res.locals.span as Span | undefined;
      span?.updateName(c.operation.operationId ?? c.operation.path);
      span?.setAttribute('http.route', c.operation.path);
      assertMediaType(c.operation, req);
    },
    unauthorizedHandler: (c: Context) => {
      const result = c.security?.[ACCESS_TOKEN_SCHEME] as { error?: unknown } | undefined;
      // A refused token says why; a session check that could not be made (the session store is
      // down) is the server's fault, never the caller's: it is not turned into a 401.
      throw typeof result?.error === 'object' && result.error !== null
        ? result.error
        : new AppError('unauthorized', 'Authentication is required.');
    },
    validationFail: async (c: Context, req: Request) => {
      await sessionConfirmed(req);
      throw toValidationError(c.validation.errors ?? []);
    },
    notImplemented: (c: Context) => {
      throw new Error(`No handler for ${c.operation.operationId}`);
    },
  });
  api.registerSecurityHandler(ACCESS_TOKEN_SCHEME, (_c: Context, req: Request) => {
    const { principal, live } = deps.authenticate(req.headers.authorization);
    // A write runs only once its session is known to be live. A read runs at once on the verified
    // token, so its cache read shares a Redis round trip with the session check.
    if (!SAFE_METHODS.has(req.method)) return live;
    sessionChecks.set(req, live);
    return principal;
  });
  const integers = integerParameters(definition);
  for (const [operationId, handler] of Object.entries(handlers)) {
    api.register(
      operationId,
      adapt(
        operationId as OperationId,
        handler as HandlerMap[OperationId],
        deps,
        sessionConfirmed,
        integers.get(operationId) ?? [],
      ),
    );
  }
  await api.init();
  api.validator = requestValidator(api, ajv);
  api.validate = true;
  assertEveryOperationHandled(api.router.getOperations(), handlers);
  assertAccessTokenAccepted(api.router.getOperations());

  compileRouter(api);
  return api;
}

/**
 * openapi-backend's own validator compiles a schema for every response of every operation too, at
 * startup: about two thirds of building the API, for checks this server never makes (the tests
 * check responses against the contract with a validator of their own). Request validators are
 * compiled when an operation is first asked for, or ahead of that by compileRequestValidators.
 */
function requestValidator(
  api: OpenAPIBackend<OpenAPIV3.Document>,
  ajv: Pick<
    ConstructorParameters<typeof OpenAPIValidator>[0],
    'coerceTypes' | 'ajvOpts' | 'customizeAjv'
  >,
): OpenAPIValidator<OpenAPIV3.Document> {
  return new OpenAPIValidator<OpenAPIV3.Document>({
    definition: api.definition,
    router: api.router,
    lazyCompileValidators: true,
    ...ajv,
  });
}

/**
 * Compiles the request validator of every operation not asked for yet, one per event-loop turn:
 * started once the server listens, it keeps startup short without making first requests wait
 * for a compiler (a request that comes first compiles only its own operation's).
 */
export async function compileRequestValidators(
  api: OpenAPIBackend<OpenAPIV3.Document>,
): Promise<void> {
  for (const operation of api.router.getOperations()) {
    await new Promise((resolve) => setImmediate(resolve));
    if (operation.operationId)
      api.validator.getRequestValidatorsForOperation(operation.operationId);
  }
}

function adapt(
  operationId: OperationId,
  handler: HandlerMap[OperationId],
  deps: ApiDeps,
  sessionConfirmed: (req: Request) => Promise<Principal> | undefined,
  integers: IntegerParameters,
) {
  const call = handler as (r: unknown, ctx: HandlerContext) => Promise<ApiResult>;
  return async (c: Context, req: Request, res: Response): Promise<ApiResult> => {
    // The domain names the field at fault; the operation says where the request carries it.
    const run = (r: unknown, ctx: HandlerContext) =>
      call(r, ctx).catch((error: unknown) => {
        throw error instanceof DomainError
          ? problemFromDomain(error, fieldLocator(c.operation))
          : error;
      });
    if (integers.length > 0) {
      assertStrictIntegers(integers, {
        path: c.request.params,
        query: req.query as Record<string, unknown>,
      });
    }
    const request = {
      // c.request.params is re-parsed from the path as strings; the validator's copy is coerced.
      params: c.validation?.coerced?.params ?? c.request.params,
      query: c.request.query,
      headers: req.headers,
      body: c.request.requestBody,
    } as unknown as OperationRequest<typeof operationId>;
    const context: HandlerContext = {
      services: deps.services,
      principal: principalFrom(c),
      requestId: String(res.getHeader('X-Request-Id')),
      clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      logger: deps.logger,
    };
    const live = sessionConfirmed(req);
    if (!live) {
      assertNoNulCharacters('body', request.body);
      assertNoNulCharacters('query', request.query);
      return run(request, context);
    }
    const answer = Promise.resolve().then(() => {
      assertNoNulCharacters('query', request.query);
      return run(request, context);
    });
    answer.catch(() => undefined);
    // Nothing is answered, not even an error, before the session is known to be live.
    await live;
    return answer;
  };
}

function principalFrom(c: Context): Principal | undefined {
  const result = c.security?.[ACCESS_TOKEN_SCHEME] as Principal | { error: unknown } | undefined;
  return result && !('error' in result) ? result : undefined;
}

function assertMediaType(operation: Operation, req: Request): void {
  const body = operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  if (!body) return;
  const accepted = Object.keys(body.content);
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if ((hasBody || mediaType) && !accepted.includes(mediaType)) {
    throw new AppError(
      'unsupported-media-type',
      `Send the body as ${accepted.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
    );
  }
}

function assertEveryOperationHandled(operations: Operation[], handlers: object): void {
  const missing = operations.map((op) => op.operationId).filter((id) => !id || !(id in handlers));
  if (missing.length > 0) throw new Error(`Operations without a handler: ${missing.join(', ')}`);
}

function assertAccessTokenAccepted(operations: Operation[]): void {
  const refusing = operations.filter(
    (op) =>
      op.security?.length &&
      !op.security.some((requirement) =>
        Object.keys(requirement).every((scheme) => scheme === ACCESS_TOKEN_SCHEME),
      ),
  );
  if (refusing.length > 0) {
    const ids = refusing.map((op) => op.operationId).join(', ');
    throw new Error(`Operations secured without ${ACCESS_TOKEN_SCHEME}: ${ids}`);
  }
}

function allowedMethods(operations: Operation[], requestPath: string): string {
  const methods = operations
    .filter((op) => new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`).test(requestPath))
    .map((op) => op.method.toUpperCase());
  if (methods.includes('GET')) methods.push('HEAD');
  return [...new Set(methods)].join(', ');
}

/**
 * The media types the operation a request is routed to accepts as its body. Bodies are parsed only
 * for those, so a body sent where none is expected is never read (and never turns into a 413 that
 * the operation does not document).
 */
export function acceptedBodyTypes(api: OpenAPIBackend, req: Request): string[] {
  const method = req.method === 'HEAD' ? 'get' : req.method.toLowerCase();
  const operation = api.router.matchOperation({ method, path: req.path, headers: {} });
  const body = operation?.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  return body ? Object.keys(body.content) : [];
}
