import { principalOf, type Handler } from '../../handler-types';

export const deleteMe: Handler<'deleteMe'> = async (_request, context) => {
  await context.services.users.remove(principalOf(context));
  return { status: 204 };
};
