import { DomainError } from './domain-error';

/** A keyset page; `nextCursor` is null on the last one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Opaque keyset cursors: base64url JSON, checked field by field on the way back in. */
export function encodeCursor(position: Record<string, number | string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<K extends string>(
  cursor: string,
  fields: Record<K, 'number' | 'string'>,
): Record<K, number | string> {
  const invalid = () => DomainError.invalid('cursor', 'is not a cursor this API issued');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const record = parsed as Record<string, unknown>;
  const keys = Object.keys(fields) as K[];
  if (Object.keys(record).length !== keys.length) throw invalid();
  for (const key of keys) {
    const value = record[key];
    if (fields[key] === 'number' && !(Number.isSafeInteger(value) && (value as number) >= 0))
      throw invalid();
    if (fields[key] === 'string' && typeof value !== 'string') throw invalid();
  }
  return record as Record<K, number | string>;
}

/** Cuts a keyset page: `rows` was fetched with limit + 1, so an extra row means there is more. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  position: (last: T) => Record<string, number | string>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(position(last)) : null };
}
