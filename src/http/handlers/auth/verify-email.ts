import type { Handler } from '../../handler-types';

export const verifyEmail: Handler<'verifyEmail'> = async ({ body }, { services }) => {
  await services.accounts.verifyEmail(body.token);
  return { status: 204 };
};
