import { principalOf, type Handler } from '../../handler-types';

export const logout: Handler<'logout'> = async (_request, context) => {
  await context.services.auth.logout(principalOf(context));
  return { status: 204 };
};
