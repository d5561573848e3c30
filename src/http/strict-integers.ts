import type { OpenAPIV3 } from 'openapi-types';
import { AppError } from './app-error';

type Where = 'path' | 'query';
export type IntegerParameters = ReadonlyArray<{ in: Where; name: string }>;

/** Decimal digits only: the validator's type coercion would also take `0x1`, `1.0`, ` 1`, `1e0`. */
const DECIMAL = /^(0|-?[1-9][0-9]*)$/;

/** The integer path and query parameters among an operation's (dereferenced) parameters. */
export function integerParameters(
  parameters: readonly OpenAPIV3.ParameterObject[],
): IntegerParameters {
  return parameters
    .filter(
      (p) =>
        (p.in === 'path' || p.in === 'query') &&
        (p.schema as OpenAPIV3.SchemaObject | undefined)?.type === 'integer',
    )
    .map((p) => ({ in: p.in as Where, name: p.name }));
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
