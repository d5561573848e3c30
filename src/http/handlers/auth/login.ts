import type { Handler } from '../../handler-types';
import { presentTokenPair, TOKEN_HEADERS } from '../../presenters/present-token-pair';

export const login: Handler<'login'> = async ({ body }, { services, clientAddress }) => {
  const pair = await services.auth.login(body.username, body.password, clientAddress);
  return { status: 200, body: presentTokenPair(pair), headers: TOKEN_HEADERS };
};
