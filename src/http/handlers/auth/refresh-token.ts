import type { Handler } from '../../handler-types';
import { presentTokenPair, TOKEN_HEADERS } from '../../presenters/present-token-pair';

export const refreshToken: Handler<'refreshToken'> = async ({ body }, { services }) => {
  const pair = await services.auth.refresh(body.refresh_token);
  return { status: 200, body: presentTokenPair(pair), headers: TOKEN_HEADERS };
};
