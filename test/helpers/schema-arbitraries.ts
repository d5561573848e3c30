import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';

// fast-check arbitraries from the contract's (dereferenced) OpenAPI 3.0 schemas: values that
// satisfy a schema, mostly, and values that break it in one way a client plausibly would.

type Schema = OpenAPIV3.SchemaObject;
type Arb = fc.Arbitrary<unknown>;
/** Values worth trying for a field of this name, e.g. a real account's e-mail for `username`. */
export type Hints = Record<string, readonly unknown[]>;

/** Long enough to hit real limits, short enough to keep runs fast. */
const LONGEST = 80;

const text = (minLength = 0, maxLength = LONGEST) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    // Any code point, NUL and astral planes included.
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
  );

function validString(schema: Schema): Arb {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, LONGEST);
  const options: Arb[] = [];
  if (schema.format === 'email') {
    options.push(fc.emailAddress().filter((email) => email.length >= min && email.length <= max));
  } else if (schema.format === 'date-time') {
    options.push(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()));
  } else if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    options.push(text(min, Math.min(max, LONGEST)).filter((value) => pattern.test(value)));
  } else {
    options.push(text(min, Math.min(max, LONGEST)));
    // The limits themselves, where off-by-one mistakes live.
    options.push(fc.constantFrom('x'.repeat(min), 'é'.repeat(max)));
  }
  if (schema.example !== undefined) options.push(fc.constant(schema.example));
  return fc.oneof(...options);
}

function validInteger(schema: Schema): Arb {
  const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
  const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  return fc.oneof(
    fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }),
    fc.constantFrom(min, max),
    fc.maxSafeInteger().filter((n) => n >= min && n <= max),
  );
}

/** Values that satisfy the schema (give or take a format or pattern nuance). */
export function validValue(schema: Schema = {}, hints: Hints = {}): Arb {
  let arb: Arb;
  if (schema.enum) arb = fc.constantFrom(...schema.enum);
  else if (schema.type === 'string') arb = validString(schema);
  else if (schema.type === 'integer') arb = validInteger(schema);
  else if (schema.type === 'number') {
    arb = fc.double({
      min: schema.minimum,
      max: schema.maximum,
      noNaN: true,
      noDefaultInfinity: true,
    });
  } else if (schema.type === 'boolean') arb = fc.boolean();
  else if (schema.type === 'array') {
    const items = validValue(schema.items as Schema, hints);
    arb = fc.array(items, {
      minLength: schema.minItems ?? 0,
      maxLength: Math.min(schema.maxItems ?? 5, 5),
    });
  } else if (schema.type === 'object' || schema.properties) arb = validObject(schema, hints);
  else arb = fc.jsonValue();
  return schema.nullable ? fc.option(arb, { nil: null, freq: 6 }) : arb;
}

function validObject(schema: Schema, hints: Hints): Arb {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const record = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, prop]) => {
        const hinted = hints[name];
        const arb = validValue(prop, hints);
        return [name, hinted?.length ? fc.oneof(arb, fc.constantFrom(...hinted)) : arb];
      }),
    ),
    { requiredKeys: schema.required ?? [] },
  ) as Arb;
  const min = schema.minProperties ?? 0;
  const filled = min
    ? record.filter((value) => Object.keys(value as object).length >= min)
    : record;
  return schema.example !== undefined ? fc.oneof(filled, fc.constant(schema.example)) : filled;
}

/** Values that break the schema: wrong type, out of range, missing or unknown fields… */
export function invalidValue(schema: Schema = {}, hints: Hints = {}): Arb {
  const options: Arb[] = [];
  const wrongTypes: Record<string, Arb> = {
    string: fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 })),
    integer: fc.oneof(
      fc.constant(1.5),
      fc.constant('12abc'),
      fc.constant(true),
      fc.constant(1e300),
    ),
    number: fc.oneof(fc.constant('NaN'), fc.constant(false)),
    boolean: fc.oneof(fc.constant('yes'), fc.constant(2)),
    array: fc.oneof(fc.constant('[]'), fc.constant({ length: 1 })),
    object: fc.oneof(fc.constant('{}'), fc.constant([]), fc.integer()),
  };
  if (schema.type && wrongTypes[schema.type]) options.push(wrongTypes[schema.type]!);
  if (!schema.nullable && schema.type) options.push(fc.constant(null));
  if (schema.enum) options.push(fc.constantFrom('not-a-member', 'POSTS', ''));
  if (schema.maxLength !== undefined) options.push(fc.constant('y'.repeat(schema.maxLength + 1)));
  if (schema.minLength) options.push(fc.constant('y'.repeat(schema.minLength - 1)));
  if (schema.pattern) options.push(fc.constantFrom('   ', '\t\n'));
  if (schema.format === 'email') options.push(fc.constantFrom('not-an-email', 'a@', '@b.c'));
  if (schema.format === 'date-time') options.push(fc.constantFrom('yesterday', '2026-13-45'));
  if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
  if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
  if (schema.type === 'object' || schema.properties) options.push(invalidObject(schema, hints));
  if (schema.type === 'array' && schema.items) {
    options.push(fc.array(invalidValue(schema.items as Schema), { minLength: 1, maxLength: 3 }));
  }
  // A schema that allows anything cannot be broken; send something anyway.
  return options.length ? fc.oneof(...options) : fc.jsonValue();
}

function invalidObject(schema: Schema, hints: Hints): Arb {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(properties);
  const valid = validObject(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
  const options: Arb[] = [
    // Closed objects: an unknown field, such as a client trying to set its own role or id.
    fc
      .tuple(valid, fc.constantFrom('role', 'id', 'constructor', '__proto__', 'extra'))
      .map(([value, key]) =>
        // defineProperty, so that even `__proto__` is an own field that JSON.stringify sends.
        Object.defineProperty({ ...value }, key, { value: 'admin', enumerable: true }),
      ),
  ];
  for (const name of schema.required ?? []) {
    options.push(valid.map(({ [name]: _dropped, ...rest }) => rest));
  }
  if (names.length) {
    options.push(
      fc
        .constantFrom(...names)
        .chain((name) => fc.tuple(valid, fc.constant(name), invalidValue(properties[name])))
        .map(([value, name, bad]) => ({ ...value, [name]: bad })),
    );
  }
  return fc.oneof(...options);
}
