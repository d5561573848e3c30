import type { Handler } from '../../handler-types';

export const resetPassword: Handler<'resetPassword'> = async ({ body }, context) => {
  await context.services.accounts.resetPassword(
    body.token,
    body.new_password,
    context.clientAddress,
  );
  return { status: 204 };
};
