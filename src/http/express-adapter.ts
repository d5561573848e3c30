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
 * Writes a handler's result: status and headers at once (`head`, the headers every answer to the
 * request carries, then the result's), then a JSON body (the string its ETag was computed from,
 * when it has one), a streamed one, or none. HEAD gets the headers alone (node:http).
 */
export async function sendResult(
  res: Response,
  result: ApiResult,
  head: string[] = [],
): Promise<void> {
  const headers = result.headers;
  if (headers) {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) head.push(name, value);
    }
  }
  // JSON unless the result names its media type (the mock's problem documents).
  const typed = headers?.['Content-Type'] !== undefined;
  if (result.stream) {
    if (!typed) head.push('Content-Type', JSON_TYPE);
    res.writeHead(result.status, head);
    for await (const piece of result.stream) {
      // Respect backpressure: wait for the socket to drain before reading the next piece.
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } else if (result.body === undefined) {
    res.writeHead(result.status, head);
    res.end();
  } else {
    const json = representationOf(result.body);
    if (!typed) head.push('Content-Type', JSON_TYPE);
    head.push('Content-Length', String(Buffer.byteLength(json)));
    res.writeHead(result.status, head);
    res.end(json);
  }
}

/** Sets a header list (name, value, …) on a response still to be written. */
export function applyHeaders(res: Response, head: readonly string[]): void {
  if (res.headersSent) return;
  for (let i = 0; i < head.length; i += 2) res.setHeader(head[i]!, head[i + 1]!);
}
