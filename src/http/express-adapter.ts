import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type OpenAPIBackend from 'openapi-backend';
import type { Request as BackendRequest } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import typeis from 'type-is';
import { stringify } from 'yaml';
import { acceptedBodyTypes, type ApiResult } from './create-api';

/**
 * JSON and form parsers that read a body only where the routed operation declares that media type,
 * so a body sent where none is expected is never read (and never becomes an undocumented 413).
 */
export function bodyParsers(api: OpenAPIBackend, limit: number): RequestHandler[] {
  // Asked only for requests that carry a body; routed once even though both parsers ask.
  const routed = new WeakMap<IncomingMessage, string[]>();
  const accepted = (req: IncomingMessage) => {
    let types = routed.get(req);
    if (!types) routed.set(req, (types = acceptedBodyTypes(api, req as Request)));
    return types;
  };
  const expects = (mediaType: string) => (req: IncomingMessage) =>
    accepted(req).includes(mediaType) && typeis(req, [mediaType]) !== false;
  return [
    express.json({ limit, strict: true, type: expects('application/json') }),
    express.urlencoded({
      limit,
      extended: false,
      parameterLimit: 50,
      type: expects('application/x-www-form-urlencoded'),
    }),
  ];
}

/**
 * The contract itself, at /openapi.json and /openapi.yaml: serialised when first asked for (YAML
 * serialisation is a noticeable part of a start), then once for all.
 */
export function contractRoutes(contract: OpenAPIV3.Document): Router {
  let json: string | undefined;
  let yaml: string | undefined;
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    json ??= JSON.stringify(contract);
    res.type('application/json').send(json);
  });
  router.get('/openapi.yaml', (_req, res) => {
    yaml ??= stringify(contract);
    res.type('application/yaml').send(yaml);
  });
  return router;
}

/** What openapi-backend routes and validates; HEAD is answered as GET (without a body). */
export function backendRequest(req: Request): BackendRequest {
  return {
    method: req.method === 'HEAD' ? 'get' : req.method,
    path: req.path,
    body: req.body,
    query: req.query as Record<string, string | string[]>,
    headers: req.headers as Record<string, string | string[]>,
  };
}

/** Writes a handler's result: status, headers, then a JSON body, a streamed one, or none. */
export async function sendResult(res: Response, result: ApiResult): Promise<void> {
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
