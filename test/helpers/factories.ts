import { randomUUID } from 'node:crypto';
import type { ContractClient } from './http-client';

export const PASSWORD = 'correct horse battery';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.com`;
}

export interface Account {
  id: number;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

export async function register(
  http: ContractClient,
  overrides: { email?: string; name?: string; password?: string } = {},
) {
  const body = {
    email: overrides.email ?? uniqueEmail(),
    name: overrides.name ?? 'Test User',
    password: overrides.password ?? PASSWORD,
  };
  const res = await http.post('/api/v1/users').send(body).expect(201);
  return { id: res.body.id as number, email: body.email, password: body.password };
}

export async function login(http: ContractClient, email: string, password = PASSWORD) {
  const res = await http
    .post('/api/v1/auth/login')
    .type('form')
    .send({ username: email, password, grant_type: 'password' })
    .expect(200);
  return {
    accessToken: res.body.access_token as string,
    refreshToken: res.body.refresh_token as string,
  };
}

/** A registered, logged-in user of its own. */
export async function signUp(
  http: ContractClient,
  overrides: { name?: string } = {},
): Promise<Account> {
  const user = await register(http, overrides);
  const tokens = await login(http, user.email, user.password);
  return { ...user, ...tokens, auth: { Authorization: `Bearer ${tokens.accessToken}` } };
}
