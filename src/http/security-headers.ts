import type { ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * helmet fitted to a JSON API: responses are data, never pages, so nothing may be framed, run or
 * loaded from them (`default-src 'none'`). The /docs pages set a policy of their own.
 *
 * The headers depend on nothing in the request, so helmet is run once, at startup, and what it set
 * is then set on every response.
 */
export function securityHeaders(): (res: ServerResponse) => void {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  middleware(
    { headers: {} } as Parameters<typeof middleware>[0],
    recorder as unknown as Parameters<typeof middleware>[1],
    () => (done = true),
  );
  if (!done || headers.length === 0) throw new Error('helmet did not set its headers at once');
  return (res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
