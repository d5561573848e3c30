import type { Response } from 'supertest';

type Location = 'body' | 'query' | 'path' | 'header';

/** An RFC 9457 problem of this status (and type), carrying the request id of its response. */
export function expectProblem(res: Response, status: number, type?: string): void {
  // Status and body together, so a failure shows what the server actually said.
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(res.body.request_id).toBe(res.headers['x-request-id']);
  if (type) expect(res.body.type).toBe(`tag:inkwell,2026:problem/${type}`);
  if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
}

/** A 400 validation problem naming this location and JSON pointer among its `errors`. */
export function expectInvalid(res: Response, location: Location, pointer: string): void {
  expectProblem(res, 400, 'validation-failed');
  expect(res.body.errors).toEqual(
    expect.arrayContaining([expect.objectContaining({ location, pointer })]),
  );
}
