import helmet from 'helmet';

/**
 * helmet fitted to a JSON API: responses are data, never pages, so nothing may be framed, run or
 * loaded from them (`default-src 'none'`). The /docs pages set a policy of their own.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
