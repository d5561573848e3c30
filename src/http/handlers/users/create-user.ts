import type { Handler } from '../../handler-types';
import { presentUser } from '../../presenters/present-user';

export const createUser: Handler<'createUser'> = async ({ body }, { services, clientAddress }) => {
  const user = await services.users.register(body, clientAddress);
  return {
    status: 201,
    body: presentUser(user),
    headers: { Location: `/api/v1/users/${user.id}` },
  };
};
