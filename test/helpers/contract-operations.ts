import OpenAPIBackend from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import { contractPath } from '../../src/platform/contract';

type Schema = OpenAPIV3.SchemaObject;

export interface ContractParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
  example: unknown;
}

/** One operation of openapi.yaml, $refs resolved: what a test needs to call it. */
export interface ContractOperation {
  operationId: string;
  method: string;
  path: string;
  parameters: ContractParameter[];
  body?: { mediaType: string; schema: Schema; required: boolean };
  secured: boolean;
  statuses: number[];
}

/** Every operation of the contract, dereferenced. */
export async function contractOperations(): Promise<ContractOperation[]> {
  const api = new OpenAPIBackend({ definition: contractPath(), validate: false });
  await api.init();
  const globalSecurity = api.document.security ?? [];
  return api.router.getOperations().map((op) => {
    const parameters = (op.parameters ?? []) as OpenAPIV3.ParameterObject[];
    const requestBody = op.requestBody as OpenAPIV3.RequestBodyObject | undefined;
    const [mediaType, media] = Object.entries(requestBody?.content ?? {})[0] ?? [];
    const security = op.security ?? globalSecurity;
    return {
      operationId: op.operationId ?? '',
      method: op.method,
      path: op.path,
      parameters: parameters.map((p) => ({
        name: p.name,
        in: p.in as ContractParameter['in'],
        required: p.required ?? false,
        schema: (p.schema ?? {}) as Schema,
        example: p.example ?? (p.schema as Schema | undefined)?.example,
      })),
      ...(mediaType && media
        ? {
            body: {
              mediaType,
              schema: (media.schema ?? {}) as Schema,
              required: requestBody?.required ?? false,
            },
          }
        : {}),
      secured: security.length > 0 && security.every((req) => Object.keys(req).length > 0),
      statuses: Object.keys(op.responses ?? {})
        .filter((status) => /^\d{3}$/.test(status))
        .map(Number),
    };
  });
}

/** The operation's path with its path parameters filled in (URL-encoded). */
export function fillPath(operation: ContractOperation, values: Record<string, unknown>): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    encodeURIComponent(String(values[name])),
  );
}

/** A request made of the contract's own examples, the way a designer would first try it. */
export function exampleRequest(operation: ContractOperation) {
  const values = (where: ContractParameter['in']) =>
    Object.fromEntries(
      operation.parameters.filter((p) => p.in === where).map((p) => [p.name, p.example]),
    );
  const query = new URLSearchParams(
    Object.entries(values('query')).map(([name, value]): [string, string] => [name, String(value)]),
  ).toString();
  return {
    url: fillPath(operation, values('path')) + (query ? `?${query}` : ''),
    headers: Object.fromEntries(
      Object.entries(values('header')).map(([name, value]) => [name, String(value)]),
    ),
    body: operation.body?.schema.example as Record<string, unknown> | undefined,
  };
}
