import { createHash } from 'node:crypto';

/**
 * A body's JSON, serialised once: the ETag is the hash of exactly the bytes sent, and the response
 * writes the same string instead of serialising the body again.
 */
const representations = new WeakMap<object, string>();

export function representationOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  let json = representations.get(body);
  if (json === undefined) {
    json = JSON.stringify(body);
    representations.set(body, json);
  }
  return json;
}

/** A strong validator: the hash of the exact representation sent. */
export function etagOf(body: unknown): string {
  const digest = createHash('sha256').update(representationOf(body)).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored. */
export function noneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return value.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === opaque);
}

export const PRIVATE_REVALIDATE = 'private, no-cache';

/** If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag never matches. */
export function matchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return true;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value.split(',').some((candidate) => candidate.trim() === etag);
}
