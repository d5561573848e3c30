import { deref, isObject, type Changes, type Direction, type Doc, type Node } from './types';

export interface SchemaContext {
  base: Doc;
  head: Doc;
  changes: Changes;
  direction: Direction;
  /** Pairs of $refs already compared on this path, so recursive schemas terminate. */
  seen?: Set<string>;
}

const UPPER = ['maxLength', 'maxItems', 'maxProperties', 'maximum'] as const;
const LOWER = ['minLength', 'minItems', 'minProperties', 'minimum'] as const;
const EXACT = ['pattern', 'format', 'multipleOf'] as const;

function typeOf(schema: Node): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (isObject(schema.properties) || 'additionalProperties' in schema) return 'object';
  if ('items' in schema) return 'array';
  return undefined;
}

const show = (value: unknown) => JSON.stringify(value);
const label = (where: string, pointer: string) => `${where} ${pointer || '/'}`;

/** Compares two schemas at one place of the contract and records what changed for a client. */
export function diffSchema(
  ctx: SchemaContext,
  baseRaw: unknown,
  headRaw: unknown,
  where: string,
  pointer = '',
): void {
  const key = `${refOf(baseRaw)}|${refOf(headRaw)}`;
  const seen = ctx.seen ?? new Set<string>();
  if (key !== '|' && seen.has(key)) return;
  const inner = { ...ctx, seen: key === '|' ? seen : new Set(seen).add(key) };
  const base = deref(ctx.base, baseRaw);
  const head = deref(ctx.head, headRaw);
  const at = label(where, pointer);
  const { changes, direction } = ctx;

  const [baseType, headType] = [typeOf(base), typeOf(head)];
  if (baseType !== headType) {
    if (direction === 'request' && baseType === 'integer' && headType === 'number') {
      changes.add('info', at, 'now accepts any number, not only integers');
    } else if (baseType === undefined) {
      changes.tightened(direction, at, `is now restricted to type ${headType}`);
    } else if (headType === undefined) {
      changes.loosened(direction, at, `is no longer restricted to type ${baseType}`);
    } else {
      changes.add('breaking', at, `type changed from ${baseType} to ${headType}`);
      return;
    }
  }
  // A reader that never met null may crash on one, so this loosening breaks responses.
  if (!base.nullable && head.nullable) {
    changes.add(direction === 'response' ? 'breaking' : 'info', at, 'may now be null');
  }
  if (base.nullable && !head.nullable) changes.tightened(direction, at, 'may no longer be null');

  diffEnum(ctx, base, head, at);
  diffConstraints(ctx, base, head, at);
  if (direction === 'request' && show(base.default) !== show(head.default)) {
    changes.add(
      'warning',
      at,
      `default changed from ${show(base.default)} to ${show(head.default)}`,
    );
  }
  if ('items' in base || 'items' in head)
    diffSchema(inner, base.items, head.items, where, `${pointer}[]`);
  diffProperties(inner, base, head, where, pointer);
  for (const keyword of ['allOf', 'oneOf', 'anyOf'] as const) {
    const [b, h] = [base[keyword], head[keyword]];
    if (b === undefined && h === undefined) continue;
    if (!Array.isArray(b) || !Array.isArray(h) || b.length !== h.length) {
      changes.add('warning', at, `${keyword} changed shape; compare it by hand`);
      continue;
    }
    b.forEach((item, i) => diffSchema(inner, item, h[i], where, `${pointer}/${keyword}/${i}`));
  }
}

function refOf(value: unknown): string {
  return isObject(value) && typeof value.$ref === 'string' ? value.$ref : '';
}

function diffEnum(ctx: SchemaContext, base: Node, head: Node, at: string): void {
  const [b, h] = [base.enum, head.enum];
  if (!Array.isArray(b) && Array.isArray(h)) {
    ctx.changes.tightened(ctx.direction, at, `is now limited to ${show(h)}`);
    return;
  }
  if (!Array.isArray(b)) return;
  if (!Array.isArray(h)) {
    ctx.changes.loosened(ctx.direction, at, `is no longer limited to ${show(b)}`);
    return;
  }
  const removed = b.filter((value) => !h.some((other) => show(other) === show(value)));
  const added = h.filter((value) => !b.some((other) => show(other) === show(value)));
  // A removed value breaks a client that sends it, and one that switches on it.
  if (removed.length) ctx.changes.add('breaking', at, `enum value(s) removed: ${show(removed)}`);
  if (added.length) ctx.changes.loosened(ctx.direction, at, `enum value(s) added: ${show(added)}`);
}

function diffConstraints(ctx: SchemaContext, base: Node, head: Node, at: string): void {
  const { changes, direction } = ctx;
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
  for (const name of UPPER) {
    const [b, h] = [num(base[name]), num(head[name])];
    if (b === h) continue;
    if (h !== undefined && (b === undefined || h < b)) {
      changes.tightened(direction, at, `${name} lowered from ${b ?? 'none'} to ${h}`);
    } else changes.loosened(direction, at, `${name} raised from ${b} to ${h ?? 'none'}`);
  }
  for (const name of LOWER) {
    const [b, h] = [num(base[name]), num(head[name])];
    if (b === h) continue;
    if (h !== undefined && (b === undefined || h > b)) {
      changes.tightened(direction, at, `${name} raised from ${b ?? 'none'} to ${h}`);
    } else changes.loosened(direction, at, `${name} lowered from ${b} to ${h ?? 'none'}`);
  }
  for (const name of ['exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems'] as const) {
    if (!base[name] && head[name]) changes.tightened(direction, at, `${name} is now set`);
    if (base[name] && !head[name]) changes.loosened(direction, at, `${name} is no longer set`);
  }
  for (const name of EXACT) {
    if (show(base[name]) === show(head[name])) continue;
    if (head[name] === undefined) {
      changes.loosened(direction, at, `${name} ${show(base[name])} removed`);
    } else {
      changes.tightened(
        direction,
        at,
        `${name} changed from ${show(base[name])} to ${show(head[name])}`,
      );
    }
  }
}

function diffProperties(
  ctx: SchemaContext,
  base: Node,
  head: Node,
  where: string,
  pointer: string,
): void {
  const { changes, direction } = ctx;
  const at = label(where, pointer);
  const props = (schema: Node) => (isObject(schema.properties) ? schema.properties : {});
  const required = (schema: Node) =>
    new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const [bProps, hProps, bReq, hReq] = [props(base), props(head), required(base), required(head)];
  const closed = head.additionalProperties === false;

  for (const name of Object.keys(bProps)) {
    const field = `${pointer}/${name}`;
    if (!(name in hProps)) {
      if (direction === 'response') changes.add('breaking', label(where, field), 'field removed');
      else if (closed) changes.add('breaking', label(where, field), 'field no longer accepted');
      else changes.add('warning', label(where, field), 'field no longer documented');
      continue;
    }
    diffSchema(ctx, bProps[name], hProps[name], where, field);
    if (direction === 'request' && !bReq.has(name) && hReq.has(name)) {
      changes.add('breaking', label(where, field), 'field is now required');
    }
    if (direction === 'response' && bReq.has(name) && !hReq.has(name)) {
      changes.add('breaking', label(where, field), 'field may now be absent');
    }
  }
  for (const name of Object.keys(hProps)) {
    if (name in bProps) continue;
    const field = label(where, `${pointer}/${name}`);
    if (direction === 'request' && hReq.has(name))
      changes.add('breaking', field, 'new required field');
    else changes.add('info', field, 'field added');
  }
  const [bAdd, hAdd] = [base.additionalProperties, head.additionalProperties];
  if (bAdd !== false && hAdd === false) {
    changes.tightened(direction, at, 'no longer allows unknown fields');
  } else if (bAdd === false && hAdd !== false) {
    changes.loosened(direction, at, 'now allows unknown fields');
  }
  if (isObject(bAdd) && isObject(hAdd)) diffSchema(ctx, bAdd, hAdd, where, `${pointer}/*`);
}
