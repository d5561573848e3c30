import type { Handler } from '../../handler-types';

export const resetPassword: Handler<'resetPassword'> = async ({ body }, { services }) => {
  await services.accounts.resetPassword(body.token, body.new_password);
  return { status: 204 };
};
