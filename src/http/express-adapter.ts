import express, { type RequestHandler, type Response, Router } from 'express';
import type { OpenAPIV3 } from 'openapi-types';
import { stringify } from 'yaml';
import type { ApiResult } from './create-api';
import { representationOf } from './etag';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * express's JSON and form parsers, by media type. The API runs one only for a request routed to
 * an operation that declares that media type, so a body sent where none is expected is never
 * read (and never becomes an undocumented 413).
 */
export function bodyParsers(limit: number): Record<string, RequestHandler> {
  const always = () => true;
  return {
    'application/json': express.json({ limit, strict: true, type: always }),
    'application/x-www-form-urlencoded': express.urlencoded({
      limit,
      extended: false,
      parameterLimit: 50,
      type: always,
    }),
  };
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

/**
 * Writes a handler's result: status, headers, then a JSON body (the string its ETag was computed
 * from, when it has one), a streamed one, or none. HEAD gets the headers alone (node:http).
 */
export async function sendResult(res: Response, result: ApiResult): Promise<void> {
  res.statusCode = result.status;
  const headers = result.headers;
  if (headers) {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
  }
  // JSON unless the result names its media type (the mock's problem documents).
  const typed = headers?.['Content-Type'] !== undefined;
  if (result.stream) {
    if (!typed) res.setHeader('Content-Type', JSON_TYPE);
    for await (const piece of result.stream) {
      // Respect backpressure: wait for the socket to drain before reading the next piece.
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } else if (result.body === undefined) {
    res.end();
  } else {
    const json = representationOf(result.body);
    if (!typed) res.setHeader('Content-Type', JSON_TYPE);
    res.setHeader('Content-Length', Buffer.byteLength(json));
    res.end(json);
  }
}
