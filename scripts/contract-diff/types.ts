/** A parsed OpenAPI 3.0 document, kept loose: the comparer reads it defensively. */
export type Doc = Record<string, unknown>;
export type Node = Record<string, unknown>;

/**
 * breaking: an existing client can fail (the gate fails unless info.version has a new major);
 * warning: worth a look, but existing clients keep working; info: additive.
 */
export type Severity = 'breaking' | 'warning' | 'info';

export interface Change {
  severity: Severity;
  /** Where, for a person: `PATCH /api/v1/posts/{post_id} (updatePost) request body /title`. */
  where: string;
  message: string;
}

/** Request values flow from the client (tightening breaks), response values to it (loosening may). */
export type Direction = 'request' | 'response';

export class Changes {
  readonly list: Change[] = [];

  add(severity: Severity, where: string, message: string): void {
    this.list.push({ severity, where, message });
  }

  /** Fewer values allowed: breaks a client that sends one; harmless to one that reads. */
  tightened(direction: Direction, where: string, message: string): void {
    this.add(direction === 'request' ? 'breaking' : 'info', where, message);
  }

  /** More values allowed: harmless to a client that sends; a reader may meet a new one. */
  loosened(direction: Direction, where: string, message: string): void {
    this.add(direction === 'request' ? 'info' : 'warning', where, message);
  }
}

export const isObject = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows local $refs (`#/components/...`); the contract is one file. */
export function deref(doc: Doc, value: unknown, seen = new Set<string>()): Node {
  if (!isObject(value)) return {};
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/') || seen.has(ref)) return {};
  seen.add(ref);
  let target: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return deref(doc, target, seen);
}
