import { diffSchema } from './diff-schemas';
import { deref, isObject, type Changes, type Direction, type Doc, type Node } from './types';

// Request bodies and responses of one operation, base against head.

export function diffRequestBody(
  base: Doc,
  head: Doc,
  bOp: Node,
  hOp: Node,
  where: string,
  changes: Changes,
): void {
  const [b, h] = [deref(base, bOp.requestBody), deref(head, hOp.requestBody)];
  const at = `${where} request body`;
  const [bContent, hContent] = [contentOf(b), contentOf(h)];
  if (!bContent && !hContent) return;
  if (!hContent) {
    changes.add('breaking', at, 'request body removed');
    return;
  }
  if (!bContent) {
    changes.add(
      h.required ? 'breaking' : 'info',
      at,
      h.required ? 'new required request body' : 'optional request body added',
    );
    return;
  }
  if (!b.required && h.required) changes.add('breaking', at, 'request body is now required');
  diffContent(base, head, bContent, hContent, at, 'request', changes);
}

export function diffResponses(
  base: Doc,
  head: Doc,
  bOp: Node,
  hOp: Node,
  where: string,
  changes: Changes,
): void {
  const [before, after] = [bOp.responses, hOp.responses].map((r) => (isObject(r) ? r : {})) as [
    Node,
    Node,
  ];
  for (const status of Object.keys(before)) {
    const at = `${where} response ${status}`;
    if (!(status in after)) {
      changes.add('breaking', at, 'response status removed');
      continue;
    }
    const [b, h] = [deref(base, before[status]), deref(head, after[status])];
    diffHeaders(base, head, b, h, at, changes);
    const [bContent, hContent] = [contentOf(b), contentOf(h)];
    if (bContent && !hContent) changes.add('breaking', at, 'response body removed');
    else if (!bContent && hContent) changes.add('warning', at, 'response body added');
    else if (bContent && hContent)
      diffContent(base, head, bContent, hContent, at, 'response', changes);
  }
  for (const status of Object.keys(after)) {
    if (!(status in before))
      changes.add('info', `${where} response ${status}`, 'response status added');
  }
}

function diffHeaders(base: Doc, head: Doc, b: Node, h: Node, at: string, changes: Changes): void {
  const lower = (headers: unknown) =>
    new Map(
      Object.entries(isObject(headers) ? headers : {}).map(([name, value]) => [
        name.toLowerCase(),
        value,
      ]),
    );
  const [before, after] = [lower(b.headers), lower(h.headers)];
  for (const [name, raw] of before) {
    const header = deref(base, raw);
    const next = after.has(name) ? deref(head, after.get(name)) : undefined;
    if (header.required && !next?.required) {
      changes.add(
        'breaking',
        `${at} header ${name}`,
        next ? 'header is no longer required' : 'header removed',
      );
    }
    if (next)
      diffSchema(
        { base, head, changes, direction: 'response' },
        header.schema,
        next.schema,
        `${at} header ${name}`,
      );
  }
}

function contentOf(node: Node): Node | undefined {
  return isObject(node.content) && Object.keys(node.content).length ? node.content : undefined;
}

function diffContent(
  base: Doc,
  head: Doc,
  b: Node,
  h: Node,
  at: string,
  direction: Direction,
  changes: Changes,
): void {
  for (const mediaType of Object.keys(b)) {
    if (!(mediaType in h)) {
      changes.add('breaking', at, `media type ${mediaType} removed`);
      continue;
    }
    const [bMedia, hMedia] = [deref(base, b[mediaType]), deref(head, h[mediaType])];
    diffSchema({ base, head, changes, direction }, bMedia.schema, hMedia.schema, at);
  }
  for (const mediaType of Object.keys(h)) {
    if (!(mediaType in b)) changes.add('info', at, `media type ${mediaType} added`);
  }
}
