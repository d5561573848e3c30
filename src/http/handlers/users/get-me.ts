import { PRIVATE_REVALIDATE } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { presentUser } from '../../presenters/present-user';

export const getMe: Handler<'getMe'> = async (_request, context) => {
  const user = await context.services.users.get(principalOf(context).userId);
  return { status: 200, body: presentUser(user), headers: { 'Cache-Control': PRIVATE_REVALIDATE } };
};
