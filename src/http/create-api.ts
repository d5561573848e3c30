import { parse as parseQueryString } from 'node:querystring';
import type { Span } from '@opentelemetry/api';
import addFormats from 'ajv-formats';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import OpenAPIBackend, { OpenAPIValidator, type Operation } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import type { Services } from '../services';
import type { Principal } from '../kernel/principal';
import { DomainError } from '../kernel/domain-error';
import type { Logger } from '../platform/logger';
import { AppError } from './app-error';
import { fieldLocator, problemFromDomain } from './domain-problems';
import type { HandlerContext, HandlerMap, OperationId, OperationRequest } from './handler-types';
import type { InFlight } from './in-flight';
import { OperationRouter } from './operation-router';
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
  /** Parses a request body of one media type (express.json, express.urlencoded). */
  bodyParsers?: Partial<Record<string, RequestHandler>>;
  /** Counts the requests being answered, for shutdown to wait for. */
  inFlight?: InFlight;
}

/**
 * The contract's two schemes carry the same access token (OAuth2Password only tells `/docs` how to
 * get one), and every secured operation accepts either: one handler, for bearerAuth,
 * authenticates each request once.
 */
const ACCESS_TOKEN_SCHEME = 'bearerAuth';
/** Reads may start while the session check is in flight; their answer waits for it. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const NO_QUERY: Record<string, string | string[]> = Object.freeze({}) as Record<string, never>;

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
type Call = (request: unknown, context: HandlerContext) => Promise<ApiResult>;

/** Everything about one operation that a request needs, resolved once at startup. */
interface CompiledOperation {
  operation: Operation;
  operationId: OperationId;
  call: Call;
  /** Security requirements: none, the access token, or the access token if one is sent. */
  security: 'none' | 'required' | 'optional';
  /** The request media types the operation accepts (none: it takes no body). */
  bodyTypes: string[];
  /** Query parameters the contract types as arrays: a single value becomes a list of one. */
  arrayQuery: Set<string>;
  integers: IntegerParameters;
  /** Where a field the domain names is in the request. */
  locate: ReturnType<typeof fieldLocator>;
  /** openapi-backend's compiled request validators, fetched once (compiled on first use). */
  validators: Validate[] | undefined;
}

export interface Api {
  /** openapi-backend: the parsed contract, its operations and request validators. */
  readonly backend: OpenAPIBackend<OpenAPIV3.Document>;
  /**
   * An express middleware answering every request the contract has an operation for; any other
   * request goes on (`next`) to the routes after it, and ends at `notFound`.
   */
  readonly handle: (req: Request, res: Response, next: NextFunction) => void;
  /**
   * The last middleware: 404, or 405 with `Allow` when the path is served with other methods
   * (the request has begun in a middleware before it).
   */
  readonly notFound: (req: Request, res: Response, next: NextFunction) => void;
  /** Compiles the request validators not compiled yet, one per event-loop turn. */
  compileValidators(): Promise<void>;
}

/** A request the API has begun to answer: its id and the headers every answer to it carries. */
export interface Exchange {
  requestId: string;
  /** name, value, name, value…: written with the status line, in one go. */
  head: string[];
}

/** What every answer of the API shares: its start (request id, headers, metrics) and writing. */
export interface ApiHooks {
  /** Called first for every request the API answers. */
  begin(req: Request, res: Response): Exchange;
  /** Writes a handler's result. */
  send(req: Request, res: Response, result: ApiResult, exchange: Exchange): Promise<void>;
  /** Writes the problem an error stands for. */
  fail(req: Request, res: Response, error: unknown, exchange: Exchange): void;
}

/**
 * The contract engine: openapi-backend parses and checks the contract, lists its operations and
 * compiles a request validator for each (strict: nothing unvalidated or unauthenticated reaches a
 * handler). What a request needs of its operation (route, media types, security, validators,
 * handler) is resolved here, once, so a request does only the work that is about it: one route
 * lookup, at most one body parse, one security check, the validators, the handler.
 */
export async function createApi(
  definition: OpenAPIV3.Document,
  handlers: HandlerMap,
  deps: ApiDeps,
  hooks: ApiHooks,
): Promise<Api> {
  const ajv = {
    coerceTypes: true,
    ajvOpts: { allErrors: true },
    customizeAjv: (instance: Parameters<typeof addFormats>[0]) => {
      addFormats(instance);
      return instance;
    },
  };
  // Validators are built after init, for requests only (see requestValidator).
  const backend = new OpenAPIBackend({ definition, strict: true, validate: false, ...ajv });
  await backend.init();
  backend.validator = requestValidator(backend, ajv);
  const operations = backend.router.getOperations();
  assertEveryOperationHandled(operations, handlers);
  assertAccessTokenAccepted(operations);

  const compiled = operations.map((operation) => compileOperation(operation, handlers));
  const router = new OperationRouter(compiled);
  const validatorsOf = (entry: CompiledOperation) =>
    (entry.validators ??= backend.validator.getRequestValidatorsForOperation(
      entry.operationId,
    ) as unknown as Validate[]);

  /** One request, from route to result; throws what the response should say instead. */
  const answer = async (
    entry: CompiledOperation,
    rawParams: Record<string, string>,
    req: Request,
    res: Response,
    requestId: string,
  ): Promise<ApiResult> => {
    res.locals.operationId = entry.operationId;
    const span = res.locals.span as Span | undefined;
    if (span) {
      // Traced: the server span is named once the route is known (instead of just its method).
      span.updateName(entry.operationId);
      span.setAttribute('http.route', entry.operation.path);
    }
    const mediaType = assertMediaType(entry, req);
    if (mediaType) await parseBody(deps.bodyParsers?.[mediaType], req, res);

    // Security, once: a write runs only once its session is known to be live; a read runs at once
    // on the verified token (its cache read shares a Redis round trip with the session check),
    // and nothing, not even an error, is answered before the session is confirmed.
    let principal: Principal | undefined;
    let live: Promise<Principal> | undefined;
    if (entry.security !== 'none') {
      try {
        const authentication = deps.authenticate(req.headers.authorization);
        principal = authentication.principal;
        if (SAFE_METHODS.has(req.method)) live = authentication.live;
        else principal = await authentication.live;
      } catch (error) {
        if (entry.security === 'required') throw error;
        principal = undefined;
      }
    }

    const rawQuery = queryOf(req.url);
    const request = validated(entry, rawParams, rawQuery, req);
    if (request instanceof AppError) {
      await live;
      throw request;
    }
    const context = new RequestContext(deps, principal, req, requestId);
    if (!live) {
      if (entry.integers.length > 0) {
        assertStrictIntegers(entry.integers, { path: rawParams, query: rawQuery });
      }
      assertNoNulCharacters('body', request.body);
      assertNoNulCharacters('query', request.query);
      return run(entry, request, context);
    }
    const result = Promise.resolve().then(() => {
      if (entry.integers.length > 0) {
        assertStrictIntegers(entry.integers, { path: rawParams, query: rawQuery });
      }
      assertNoNulCharacters('query', request.query);
      return run(entry, request, context);
    });
    result.catch(() => undefined);
    await live;
    return result;
  };

  /** openapi-backend's validators for the operation, run on the request's parts. */
  const validated = (
    entry: CompiledOperation,
    rawParams: Record<string, string>,
    rawQuery: Record<string, string | string[]>,
    req: Request,
  ): OperationRequest<OperationId> | AppError => {
    const params: Record<string, unknown> = { ...rawParams };
    const query: Record<string, unknown> = rawQuery === NO_QUERY ? {} : { ...rawQuery };
    for (const name of entry.arrayQuery) {
      if (typeof query[name] === 'string') query[name] = [query[name]];
    }
    // The headers as received: the contract's header parameters are strings, which the
    // validator's coercion leaves as they are.
    const parameters: Record<string, unknown> = {
      path: params,
      query,
      header: req.headers,
      cookie: {},
    };
    const body: unknown = req.body;
    if (typeof body === 'object' || mediaTypeOf(req) === 'application/json') {
      parameters.requestBody = body;
    }
    const errors: unknown[] = [];
    for (const validate of validatorsOf(entry)) {
      validate(parameters);
      if (validate.errors) errors.push(...validate.errors);
    }
    if (errors.length > 0)
      return toValidationError(errors as Parameters<typeof toValidationError>[0]);
    return {
      params: parameters.path,
      query: parameters.query,
      headers: req.headers,
      body,
    } as OperationRequest<OperationId>;
  };

  const dispatch = (
    entry: CompiledOperation,
    params: Record<string, string>,
    req: Request,
    res: Response,
  ) => {
    deps.inFlight?.enter();
    const exchange = hooks.begin(req, res);
    answer(entry, params, req, res, exchange.requestId)
      .then((result) => hooks.send(req, res, result, exchange))
      .catch((error: unknown) => hooks.fail(req, res, error, exchange))
      .finally(() => deps.inFlight?.leave());
  };

  return {
    backend,
    handle: (req, res, next) => {
      const match = router.match(methodOf(req), pathOf(req.url));
      if (match.found) dispatch(match.found, match.params, req, res);
      else next();
    },
    notFound: (req, res, next) => {
      const path = pathOf(req.url);
      const match = router.match(methodOf(req), path);
      const error =
        !match.found && match.pathMatched
          ? methodNotAllowed(req.method, router.allowedMethods(path))
          : new AppError('not-found', `No resource at ${path}.`);
      next(error);
    },
    compileValidators: async () => {
      for (const entry of compiled) {
        await new Promise((resolve) => setImmediate(resolve));
        validatorsOf(entry);
      }
    },
  };
}

/** What a handler knows of its request besides its parts. */
class RequestContext implements HandlerContext {
  readonly services: Services;
  readonly logger: Logger;

  constructor(
    deps: ApiDeps,
    readonly principal: Principal | undefined,
    private readonly req: Request,
    readonly requestId: string,
  ) {
    this.services = deps.services;
    this.logger = deps.logger;
  }

  /** Worked out when a handler asks: it weighs the proxy settings. */
  get clientAddress(): string {
    return this.req.ip ?? this.req.socket.remoteAddress ?? 'unknown';
  }
}

function compileOperation(operation: Operation, handlers: HandlerMap): CompiledOperation {
  const operationId = operation.operationId as OperationId;
  const requirements = operation.security ?? [];
  const anonymous = requirements.some((requirement) => Object.keys(requirement).length === 0);
  const body = operation.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  // openapi-backend has dereferenced them and added the path's own.
  const parameters = (operation.parameters ?? []) as OpenAPIV3.ParameterObject[];
  const arrayQuery = new Set(
    parameters
      .filter(
        (p) =>
          p.in === 'query' && (p.schema as OpenAPIV3.SchemaObject | undefined)?.type === 'array',
      )
      .map((p) => p.name),
  );
  return {
    operation,
    operationId,
    call: handlers[operationId] as unknown as Call,
    security: requirements.length === 0 ? 'none' : anonymous ? 'optional' : 'required',
    bodyTypes: body ? Object.keys(body.content) : [],
    arrayQuery,
    integers: integerParameters(parameters),
    locate: fieldLocator(operation),
    validators: undefined,
  };
}

/** The handler, with a domain error turned into a problem that names where its field is. */
function run(
  entry: CompiledOperation,
  request: OperationRequest<OperationId>,
  context: HandlerContext,
): Promise<ApiResult> {
  return entry.call(request, context).catch((error: unknown) => {
    throw error instanceof DomainError ? problemFromDomain(error, entry.locate) : error;
  });
}

/**
 * openapi-backend's own validator compiles a schema for every response of every operation too, at
 * startup: about two thirds of building the API, for checks this server never makes (the tests
 * check responses against the contract with a validator of their own). Request validators are
 * compiled when an operation is first asked for, or ahead of that by compileValidators.
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

const methodOf = (req: Request) => (req.method === 'HEAD' ? 'get' : req.method.toLowerCase());

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** The query string as express's `simple` parser reads it, parsed once. */
function queryOf(url: string): Record<string, string | string[]> {
  const start = url.indexOf('?');
  if (start < 0 || start === url.length - 1) return NO_QUERY;
  return parseQueryString(url.slice(start + 1)) as Record<string, string | string[]>;
}

/** The request's media type, without parameters, in lower case ('' when none is named). */
function mediaTypeOf(req: Request): string {
  const header = req.headers['content-type'];
  if (!header) return '';
  const end = header.indexOf(';');
  return (end < 0 ? header : header.slice(0, end)).trim().toLowerCase();
}

/** The request's media type when it carries a body the operation accepts; 415 for any other. */
function assertMediaType(entry: CompiledOperation, req: Request): string | undefined {
  if (entry.bodyTypes.length === 0) return undefined;
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  const mediaType = mediaTypeOf(req);
  if (!hasBody && !mediaType) return undefined;
  if (!entry.bodyTypes.includes(mediaType)) {
    throw new AppError(
      'unsupported-media-type',
      `Send the body as ${entry.bodyTypes.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
    );
  }
  return mediaType;
}

/** Runs an express body parser for the request; its errors become problems (problem-details). */
function parseBody(
  parser: RequestHandler | undefined,
  req: Request,
  res: Response,
): Promise<void> | undefined {
  if (!parser) return undefined;
  return new Promise((resolve, reject) => {
    void parser(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

function methodNotAllowed(method: string, allow: string): AppError {
  return new AppError(
    'method-not-allowed',
    `${method.toUpperCase()} is not supported here; use ${allow}.`,
    { headers: { Allow: allow } },
  );
}

function assertEveryOperationHandled(operations: Operation[], handlers: object): void {
  const missing = operations.map((op) => op.operationId).filter((id) => !id || !(id in handlers));
  if (missing.length > 0) throw new Error(`Operations without a handler: ${missing.join(', ')}`);
  const known = new Set(operations.map((op) => op.operationId));
  const extra = Object.keys(handlers).filter((id) => !known.has(id));
  if (extra.length > 0) throw new Error(`Handlers without an operation: ${extra.join(', ')}`);
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
