import { diffRequestBody, diffResponses } from './diff-messages';
import { diffSchema } from './diff-schemas';
import { Changes, deref, isObject, type Change, type Doc, type Node } from './types';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  method: string;
  path: string;
  item: Node;
  op: Node;
}

/** Path templates match whatever their parameters are called: /posts/{id} is /posts/{post_id}. */
const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');

function operationsOf(doc: Doc): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, raw] of Object.entries(paths)) {
    const item = deref(doc, raw);
    for (const method of METHODS) {
      if (isObject(item[method])) {
        operations.set(`${method} ${shape(path)}`, { method, path, item, op: item[method] });
      }
    }
  }
  return operations;
}

const nameOf = ({ method, path, op }: Operation) =>
  `${method.toUpperCase()} ${path}${op.operationId ? ` (${String(op.operationId)})` : ''}`;

/** Every change between two versions of the contract that a client could notice. */
export function diffContracts(base: Doc, head: Doc): Change[] {
  const changes = new Changes();
  const [before, after] = [operationsOf(base), operationsOf(head)];
  const headShapes = new Set([...after.values()].map((operation) => shape(operation.path)));
  const removedPaths = new Set<string>();
  for (const [key, operation] of before) {
    const next = after.get(key);
    if (next) {
      diffOperation(base, head, operation, next, changes);
    } else if (!headShapes.has(shape(operation.path))) {
      if (!removedPaths.has(operation.path))
        changes.add('breaking', operation.path, 'path removed');
      removedPaths.add(operation.path);
    } else {
      changes.add('breaking', nameOf(operation), 'operation removed');
    }
  }
  for (const [key, operation] of after) {
    if (!before.has(key)) changes.add('info', nameOf(operation), 'operation added');
  }
  return changes.list;
}

function diffOperation(base: Doc, head: Doc, b: Operation, h: Operation, changes: Changes): void {
  const where = nameOf(h);
  if (b.op.operationId !== h.op.operationId) {
    changes.add(
      'breaking',
      where,
      `operationId changed from ${String(b.op.operationId)} (generated clients name methods after it)`,
    );
  }
  if (isPublic(base, b.op) && !isPublic(head, h.op)) {
    changes.add('breaking', where, 'now requires authentication');
  }
  diffParameters(base, head, b, h, where, changes);
  diffRequestBody(base, head, b.op, h.op, where, changes);
  diffResponses(base, head, b.op, h.op, where, changes);
}

function isPublic(doc: Doc, op: Node): boolean {
  const security = Array.isArray(op.security) ? op.security : doc.security;
  return (
    !Array.isArray(security) ||
    security.length === 0 ||
    security.some((req) => isObject(req) && Object.keys(req).length === 0)
  );
}

function parametersOf(doc: Doc, operation: Operation): Map<string, Node> {
  const parameters = new Map<string, Node>();
  for (const list of [operation.item.parameters, operation.op.parameters]) {
    for (const raw of Array.isArray(list) ? list : []) {
      const parameter = deref(doc, raw);
      const name = String(parameter.name);
      const key = `${String(parameter.in)} ${parameter.in === 'header' ? name.toLowerCase() : name}`;
      // Path parameters are matched by position in the path, not by name.
      parameters.set(
        parameter.in === 'path' ? `path ${positionOf(operation.path, name)}` : key,
        parameter,
      );
    }
  }
  return parameters;
}

const positionOf = (path: string, name: string): number =>
  [...path.matchAll(/\{([^}]+)\}/g)].findIndex((match) => match[1] === name);

function diffParameters(
  base: Doc,
  head: Doc,
  b: Operation,
  h: Operation,
  where: string,
  changes: Changes,
): void {
  const [before, after] = [parametersOf(base, b), parametersOf(head, h)];
  for (const [key, parameter] of before) {
    const at = `${where} ${String(parameter.in)} parameter ${String(parameter.name)}`;
    const next = after.get(key);
    if (!next) {
      changes.add('breaking', at, 'parameter removed (a client that sends it may be refused)');
      continue;
    }
    if (!parameter.required && next.required)
      changes.add('breaking', at, 'parameter is now required');
    diffSchema({ base, head, changes, direction: 'request' }, parameter.schema, next.schema, at);
  }
  for (const [key, parameter] of after) {
    if (before.has(key)) continue;
    const at = `${where} ${String(parameter.in)} parameter ${String(parameter.name)}`;
    if (parameter.required) changes.add('breaking', at, 'new required parameter');
    else changes.add('info', at, 'optional parameter added');
  }
}
