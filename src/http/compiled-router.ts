import type OpenAPIBackend from 'openapi-backend';
import type { Operation, ParsedRequest, Request as BackendRequest } from 'openapi-backend';

interface CompiledOperation {
  operation: Operation;
  pattern: RegExp;
  names: string[];
  specificity: number;
}

/**
 * openapi-backend's router is asked three times per request (route, parse, validate) and each time
 * re-derives a regular expression for every path template, re-normalises the request and
 * deep-clones its query. The contract is fixed once loaded, so this compiles each operation's path
 * once and parses a request once per operation. Same answers as the router it replaces: exact paths
 * first, then templates by specificity; 404 when no path matches, 405 when no method does.
 */
export function compileRouter(api: OpenAPIBackend): void {
  const router = api.router;
  const operations = router.getOperations();
  router.getOperations = () => operations;
  if (operations.some(needsQueryStyles)) return; // styles this fast path does not decode

  const compiled: CompiledOperation[] = operations
    .map((operation) => compile(operation))
    .sort((a, b) => b.specificity - a.specificity);
  const exact = new Map<string, Operation>();
  for (const operation of operations) exact.set(`${operation.method} ${operation.path}`, operation);
  const byOperation = new Map(compiled.map((entry) => [entry.operation, entry]));

  const root = router.apiRoot.replace(/\/$/, '');
  const originalParse = router.parseRequest.bind(router);
  const parsed = new WeakMap<BackendRequest, { operation: Operation; request: ParsedRequest }>();

  router.matchOperation = ((req: BackendRequest, strict?: boolean) => {
    const { path, method } = normalize(req);
    const relative = router.normalizePath(path);
    const underRoot = isUnder(root, path);
    const hit = underRoot && exact.get(`${method} ${relative}`);
    if (hit) return hit;
    let pathMatched = false;
    if (underRoot) {
      for (const entry of compiled) {
        if (!entry.pattern.test(relative)) continue;
        if (entry.operation.method === method) return entry.operation;
        pathMatched = true;
      }
    }
    if (!strict) return undefined;
    throw new Error(
      pathMatched
        ? '405-methodNotAllowed: this method is not registered for the route'
        : '404-notFound: no route matches request',
    );
  }) as typeof router.matchOperation;

  router.parseRequest = (req: BackendRequest, operation?: Operation): ParsedRequest => {
    if (!operation || req.headers.cookie !== undefined) return originalParse(req, operation);
    const seen = parsed.get(req);
    if (seen?.operation === operation) return seen.request;
    const entry = byOperation.get(operation);
    if (!entry) return originalParse(req, operation);
    const normalized = normalize(req);
    const request: ParsedRequest = {
      ...req,
      ...normalized,
      params: pathParams(entry, router.normalizePath(normalized.path)),
      headers: { ...req.headers },
      query: copyQuery(req.query),
      cookies: {},
      requestBody: parseBody(req.body),
    };
    parsed.set(req, { operation, request });
    return request;
  };
}

function isUnder(root: string, path: string): boolean {
  return root === '' ? path.startsWith('/') : path === root || path.startsWith(`${root}/`);
}

function compile(operation: Operation): CompiledOperation {
  const names: string[] = [];
  const source = operation.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return {
    operation,
    pattern: new RegExp(`^${source}$`),
    names,
    specificity: operation.path.replace(/\{.*?\}/g, '').length,
  };
}

function needsQueryStyles(operation: Operation): boolean {
  return (operation.parameters ?? []).some(
    (parameter) =>
      'in' in parameter &&
      parameter.in === 'query' &&
      (parameter.explode === false || parameter.content !== undefined),
  );
}

function normalize(req: BackendRequest): { path: string; method: string } {
  let path = req.path?.trim() || '';
  if (!path.startsWith('/')) path = `/${path}`;
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  return { path, method: req.method.trim().toLowerCase() };
}

function pathParams(entry: CompiledOperation, path: string): Record<string, string> {
  const match = entry.pattern.exec(path);
  const params: Record<string, string> = {};
  if (!match) return params;
  entry.names.forEach((name, i) => {
    const raw = match[i + 1] ?? '';
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      params[name] = raw; // malformed escape: left as sent, for validation to refuse
    }
  });
  return params;
}

function copyQuery(query: BackendRequest['query']): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  if (!query || typeof query !== 'object') return copy;
  for (const [name, value] of Object.entries(query)) {
    copy[name] = Array.isArray(value) ? [...value] : value;
  }
  return copy;
}

function parseBody(body: unknown): unknown {
  if (!body || typeof body === 'object') return body;
  try {
    return JSON.parse(String(body));
  } catch {
    return body;
  }
}
