import { randomInt } from 'node:crypto';
import autocannon from 'autocannon';

/**
 * A cached read measured alone, then again while an unauthenticated login flood runs beside it:
 * random e-mails from random client addresses (each request its own X-Forwarded-For, so neither
 * the per-account nor the per-address limit stops it; the API runs with TRUST_PROXY=1), i.e. the
 * flood that only the bcrypt gate bounds. The reads should keep at least half their throughput.
 */
export interface FloodOptions {
  connections: number;
  duration: number;
}

export interface ReadRow {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export async function loginFloodScenario(
  base: string,
  headers: Record<string, string>,
  options: FloodOptions,
): Promise<ReadRow[]> {
  const read = () =>
    autocannon({
      url: `${base}/api/v1/users/me`,
      headers,
      connections: options.connections,
      duration: options.duration,
    });
  await autocannon({ url: `${base}/api/v1/users/me`, headers, connections: 10, duration: 2 });
  const alone = await read();
  const flood = autocannon({
    url: `${base}/api/v1/auth/login`,
    method: 'POST',
    connections: options.connections,
    duration: options.duration + 2,
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
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the flood build up
  const underFlood = await read();
  const floodResult = await flood;
  const statuses = Object.entries(floodResult.statusCodeStats ?? {})
    .map(([status, stats]) => `${status}: ${stats.count ?? 0}`)
    .join(', ');
  const ratio = ((underFlood.requests.average / alone.requests.average) * 100).toFixed(0);
  console.log(
    `login flood: ${Math.round(floodResult.requests.average)} req/s (${statuses}); ` +
      `cached reads kept ${ratio}% of their throughput`,
  );
  const row = (scenario: string, result: autocannon.Result): ReadRow => ({
    scenario,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  });
  return [
    row('GET /api/v1/users/me (cached read), alone', alone),
    row(`GET /api/v1/users/me during a ${options.connections}-connection login flood`, underFlood),
  ];
}
