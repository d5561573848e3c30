import type { OpenAPIV3 } from 'openapi-types';
import { AppError } from './app-error';

type Where = 'path' | 'query';
export type IntegerParameters = ReadonlyArray<{ in: Where; name: string }>;

/** Decimal digits only: the validator's type coercion would also take `0x1`, `1.0`, ` 1`, `1e0`. */
const DECIMAL = /^(0|-?[1-9][0-9]*)$/;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The integer path and query parameters of every operation, found once at startup. */
export function integerParameters(document: OpenAPIV3.Document): Map<string, IntegerParameters> {
  const resolve = (p: OpenAPIV3.ReferenceObject | OpenAPIV3.ParameterObject) =>
    '$ref' in p
      ? (document.components?.parameters?.[p.$ref.split('/').pop() as string] as
          OpenAPIV3.ParameterObject | undefined)
      : p;
  const found = new Map<string, IntegerParameters>();
  for (const item of Object.values(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation?.operationId) continue;
      const parameters = [...(item?.parameters ?? []), ...(operation.parameters ?? [])]
        .map(resolve)
        .filter(
          (p): p is OpenAPIV3.ParameterObject =>
            !!p &&
            (p.in === 'path' || p.in === 'query') &&
            (p.schema as OpenAPIV3.SchemaObject | undefined)?.type === 'integer',
        )
        .map((p) => ({ in: p.in as Where, name: p.name }));
      found.set(operation.operationId, parameters);
    }
  }
  return found;
}

/** Refuses an integer parameter not written as plain decimal digits, with a pointer to it. */
export function assertStrictIntegers(
  parameters: IntegerParameters,
  raw: Record<Where, Record<string, unknown>>,
): void {
  for (const parameter of parameters) {
    const value = raw[parameter.in][parameter.name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !DECIMAL.test(value)) {
      throw AppError.invalid(
        parameter.in,
        `/${parameter.name}`,
        'must be an integer written in decimal digits',
      );
    }
  }
}
