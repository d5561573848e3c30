import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { contractPath } from '../../src/platform/contract';

export const COVERAGE_DIR = path.join(__dirname, '../../reports/contract-coverage');

interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let backend: Promise<OpenAPIBackend> | undefined;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const compiled = new Map<string, ValidateFunction>();

function contract(): Promise<OpenAPIBackend> {
  backend ??= (async () => {
    const api = new OpenAPIBackend({ definition: contractPath(), validate: false });
    await api.init();
    return api;
  })();
  return backend;
}

/**
 * Checks one response against openapi.yaml: the status is documented for the operation, the media
 * type matches, the body validates against its schema, required headers are there and valid.
 * Records (operationId, status) for the coverage report unless told not to.
 */
export async function assertConforms(
  response: ObservedResponse,
  options: { record?: boolean } = {},
): Promise<void> {
  const api = await contract();
  const method = response.method.toLowerCase() === 'head' ? 'get' : response.method.toLowerCase();
  const operation = api.matchOperation({
    method,
    path: response.path.split('?')[0] ?? '',
    headers: {},
  });
  const where = `${response.method.toUpperCase()} ${response.path} → ${response.status}`;
  const mediaType =
    String(response.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  if (!operation) {
    // Outside the contract (unknown route, wrong method): still a problem document.
    if (response.status >= 400 && mediaType !== 'application/problem+json') {
      throw new Error(`${where}: expected application/problem+json, got ${mediaType || 'no body'}`);
    }
    return;
  }
  // Only the real server's responses count towards coverage (not, say, the mock server's).
  if (options.record ?? true) record(operation.operationId ?? '?', response.status);
  const documented = operation.responses?.[String(response.status)] as
    OpenAPIV3.ResponseObject | undefined;
  if (!documented) {
    throw new Error(
      `${where}: status ${response.status} is not documented for ${operation.operationId}`,
    );
  }
  for (const [name, header] of Object.entries(documented.headers ?? {}) as [
    string,
    OpenAPIV3.HeaderObject,
  ][]) {
    const value = response.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) throw new Error(`${where}: required header ${name} is missing`);
      continue;
    }
    const schema = header.schema as OpenAPIV3.SchemaObject;
    const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
    check(
      `${operation.operationId}:${response.status}:header:${name}`,
      schema,
      typed,
      `${where}: header ${name}`,
    );
  }
  const content = documented.content ?? {};
  // A HEAD response has the headers of its GET but never a body (RFC 9110 §9.3.2).
  if (response.method.toLowerCase() === 'head') {
    if (response.text) throw new Error(`${where}: a HEAD response must not have a body`);
    return;
  }
  if (Object.keys(content).length === 0) {
    if (response.text) throw new Error(`${where}: documented without a body, but one was sent`);
    return;
  }
  const media = content[mediaType];
  if (!media) {
    throw new Error(
      `${where}: content type ${mediaType || '(none)'} is not documented (${Object.keys(content).join(', ')})`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new Error(`${where}: body is not JSON: ${response.text.slice(0, 200)}`);
  }
  check(
    `${operation.operationId}:${response.status}:${mediaType}`,
    media.schema as object,
    body,
    `${where}: body`,
  );
}

function check(key: string, schema: object, value: unknown, label: string): void {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (!validate(value)) {
    throw new Error(
      `${label} does not match the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
    );
  }
}

function record(operationId: string, status: number): void {
  mkdirSync(COVERAGE_DIR, { recursive: true });
  appendFileSync(
    path.join(COVERAGE_DIR, `${process.pid}.jsonl`),
    `${JSON.stringify({ operationId, status })}\n`,
  );
}
