import { randomInt } from 'node:crypto';
import autocannon from 'autocannon';

export interface FloodResult {
  rps: number;
  /** Answers by status, e.g. { 401: 812, 503: 90 }. */
  statuses: Record<string, number>;
}

/**
 * The unauthenticated login flood that only the bcrypt gate bounds: random e-mails (no account, so
 * no per-account limit) from random client addresses (each request its own X-Forwarded-For, read
 * by an API started with TRUST_PROXY=1, so no per-address limit either).
 */
export async function loginFlood(
  url: string,
  connections: number,
  seconds: number,
): Promise<FloodResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
          },
          body: `username=flood-${randomInt(1e9)}%40example.com&password=not+the+password`,
        }),
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [
      status,
      stats.count ?? 0,
    ]),
  );
  return { rps: Math.round(result.requests.average), statuses };
}
