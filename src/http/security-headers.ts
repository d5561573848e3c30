import helmet from 'helmet';

/**
 * helmet fitted to a JSON API: responses are data, never pages, so nothing may be framed, run or
 * loaded from them (`default-src 'none'`). The /docs pages set a policy of their own.
 *
 * The headers depend on nothing in the request, so helmet is run once, at startup: what it sets,
 * as a flat list (name, value, name, value…) that every response starts from.
 */
export function securityHeaders(): readonly string[] {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const headers: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.push(name, String(value)),
    removeHeader: () => undefined,
  };
  let done = false;
  middleware(
    { headers: {} } as Parameters<typeof middleware>[0],
    recorder as unknown as Parameters<typeof middleware>[1],
    () => (done = true),
  );
  if (!done || headers.length === 0) throw new Error('helmet did not set its headers at once');
  return Object.freeze(headers);
}
