import type { Handler } from '../../handler-types';

export const requestPasswordReset: Handler<'requestPasswordReset'> = async ({ body }, context) => {
  await context.services.accounts.requestPasswordReset(body.email, context.clientAddress);
  return { status: 202 };
};
