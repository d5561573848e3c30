import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from '../../generated/openapi';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type InkwellClient = Client<paths>;

/** Returns the access token to send, or nothing to send none; asked before every request. */
export type TokenHook = () => string | null | undefined | Promise<string | null | undefined>;

export interface InkwellClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  token?: TokenHook;
}

/**
 * The headers of a form body (`login` is an OAuth 2.0 password grant, form-encoded):
 * `client.POST('/api/v1/auth/login', { body, headers: FORM })`.
 */
export const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' } as const;

/**
 * A typed client for the Inkwell API: every path, parameter, body and response (errors included)
 * is typed from openapi.yaml through openapi-typescript; openapi-fetch makes the calls.
 *
 * ```ts
 * let accessToken: string | undefined;
 * const inkwell = createInkwellClient('http://localhost:3000', { token: () => accessToken });
 * const { data, error } = await inkwell.GET('/api/v1/users/me');
 * ```
 */
export function createInkwellClient(
  baseUrl: string,
  options: InkwellClientOptions = {},
): InkwellClient {
  const { token, ...rest } = options;
  const client = createClient<paths>({
    bodySerializer: serializeBody,
    ...rest,
    baseUrl: baseUrl.replace(/\/+$/, ''),
  });
  if (token) {
    client.use({
      async onRequest({ request }) {
        if (request.headers.has('Authorization')) return undefined;
        const value = await token();
        if (value) request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}

/**
 * openapi-fetch's own body serializer, minus its `headers.get instanceof Function` test, which fails
 * when Headers come from another realm (jest's sandbox, an iframe) and then sends a form as JSON.
 */
function serializeBody(body: unknown, headers?: Headers): unknown {
  if (body instanceof FormData) return body;
  if (headers?.get('Content-Type') === FORM['Content-Type']) {
    return new URLSearchParams(body as Record<string, string>).toString();
  }
  return JSON.stringify(body);
}
