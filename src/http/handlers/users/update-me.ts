import { principalOf, type Handler } from '../../handler-types';
import { presentUser } from '../../presenters/present-user';

export const updateMe: Handler<'updateMe'> = async ({ body }, context) => {
  const user = await context.services.users.update(principalOf(context), {
    name: body.name,
    password: body.password,
    currentPassword: body.current_password,
  });
  return { status: 200, body: presentUser(user) };
};
