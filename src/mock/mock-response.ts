import type OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import type { ApiResult } from '../http/create-api';

/** What the caller asked for with `Prefer` (RFC 7240; the same words as Prism: code, example). */
export interface MockPreference {
  code?: string;
  example?: string;
}

export function parsePrefer(header: string | string[] | undefined): MockPreference {
  const preference: MockPreference = {};
  for (const part of [header ?? []].flat().join(',').split(/[,;]/)) {
    const [name, raw = ''] = part.split('=').map((piece) => piece.trim());
    const value = raw.replace(/^"(.*)"$/, '$1');
    if (name === 'code' && /^[1-5]\d\d$/.test(value)) preference.code = value;
    if (name === 'example' && value) preference.example = value;
  }
  return preference;
}

/**
 * The response the contract documents for an operation, built from its examples: the first 2xx by
 * default, or the status asked for with `Prefer: code=404` when the operation documents it.
 */
export function mockResponse(
  mocker: OpenAPIBackend,
  operationId: string,
  preference: MockPreference,
): ApiResult {
  const operation = mocker.router.getOperation(operationId);
  const responses = (operation?.responses ?? {}) as Record<string, OpenAPIV3.ResponseObject>;
  const code = preference.code && responses[preference.code] ? preference.code : undefined;
  const { status, mock } = mocker.mockResponseForOperation(operationId, {
    ...(code ? { code: Number(code) } : {}),
    ...(preference.example ? { example: preference.example } : {}),
  });
  const documented = responses[String(status)];
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(documented?.headers ?? {})) {
    const value = exampleOf(header as OpenAPIV3.HeaderObject);
    if (value !== undefined) headers[name] = String(value);
  }
  const [mediaType] = Object.keys(documented?.content ?? {});
  const named = mediaType ? documented?.content?.[mediaType]?.examples : undefined;
  const example = preference.example && named?.[preference.example] ? preference.example : '';
  const applied = [code && `code=${code}`, example && `example=${example}`].filter(Boolean);
  if (applied.length) headers['Preference-Applied'] = applied.join(', ');
  if (!mediaType) return { status, headers };
  headers['Content-Type'] = `${mediaType}; charset=utf-8`;
  return { status, headers, body: mock };
}

/** A problem document from an example names this request, like the real server's. */
export function personalize(result: ApiResult, path: string, requestId: string): ApiResult {
  if (!result.headers?.['Content-Type']?.startsWith('application/problem+json')) return result;
  return { ...result, body: { ...(result.body as object), instance: path, request_id: requestId } };
}

/**
 * The contract has one not-found example for every path ("There is no user 42."); on a path with
 * an id, the mock says what the server would: `GET /posts/7` → "There is no post 7."
 */
export function aboutThisResource(result: ApiResult, params: Record<string, unknown>): ApiResult {
  const [name, id] = Object.entries(params).find(([key]) => key.endsWith('_id')) ?? [];
  if (result.status !== 404 || !name || !result.headers?.['Content-Type']?.includes('problem')) {
    return result;
  }
  const detail = `There is no ${name.slice(0, -'_id'.length)} ${String(id)}.`;
  return { ...result, body: { ...(result.body as object), detail } };
}

function exampleOf(header: OpenAPIV3.HeaderObject): unknown {
  const schema = (header.schema ?? {}) as OpenAPIV3.SchemaObject;
  return header.example ?? schema.example ?? schema.default;
}
