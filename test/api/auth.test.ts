import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm } from 'jsonwebtoken';
import type { Response } from 'supertest';
import { login, PASSWORD, register, signUp, uniqueEmail, type Account } from '../helpers/factories';
import type { ContractClient } from '../helpers/http-client';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { describeIf, services } from '../helpers/describe-if';

const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';
const ME = '/api/v1/users/me';

const NEW_PASSWORD = 'a brand new password';

const postLogin = (http: ContractClient, form: Record<string, string>) =>
  http.post(LOGIN).type('form').send(form);
const loginAs = (http: ContractClient, username: string, password = PASSWORD) =>
  postLogin(http, { username, password });
const postRefresh = (http: ContractClient, refreshToken: string) =>
  http.post(REFRESH).send({ refresh_token: refreshToken });
const getMe = (http: ContractClient, token: string) =>
  http.get(ME).set('Authorization', `Bearer ${token}`);
const logout = (http: ContractClient, token: string) =>
  http.post(LOGOUT).set('Authorization', `Bearer ${token}`);
const changePassword = (http: ContractClient, account: Account) =>
  http.patch(ME).set(account.auth).send({ password: NEW_PASSWORD, current_password: PASSWORD });

/** 401 problem+json with a Bearer challenge: an access token refused. */
const expectUnauthorized = (res: Response) => expectProblem(res, 401, 'unauthorized');
/** 401 for a refused password or refresh token. */
const expectBadGrant = (res: Response) => expectProblem(res, 401, 'invalid-credentials');

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /auth/login', () => {
    it('when the e-mail and password are right, then returns 200 with a bearer TokenPair that is never stored', async () => {
      const user = await register(t.http);
      const res = await postLogin(t.http, {
        username: user.email,
        password: PASSWORD,
        grant_type: 'password',
      }).expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: t.container.config.auth.accessTokenTtlSeconds,
      });
      expect(res.headers['cache-control']).toBe('no-store');
      await getMe(t.http, res.body.access_token).expect(200);
    });

    it('when grant_type is left out, then the password grant is assumed and returns 200', async () => {
      const user = await register(t.http);
      await loginAs(t.http, user.email).expect(200);
    });

    it('when the e-mail differs only in letter case, then returns 200 for the same user', async () => {
      const user = await register(t.http, { email: uniqueEmail('mixed').toLowerCase() });
      const res = await loginAs(t.http, user.email.toUpperCase()).expect(200);
      const me = await getMe(t.http, res.body.access_token).expect(200);
      expect(me.body.id).toBe(user.id);
    });

    it.each([
      ['the password is missing', { username: 'someone@example.com' }, '/password'],
      ['the username is missing', { password: PASSWORD }, '/username'],
      [
        'an unknown field is sent',
        { username: 'someone@example.com', password: PASSWORD, role: 'admin' },
        '/role',
      ],
      [
        'grant_type is not password',
        { username: 'someone@example.com', password: PASSWORD, grant_type: 'client_credentials' },
        '/grant_type',
      ],
    ])('when %s, then returns 400 with a pointer to the field', async (_case, form, pointer) => {
      const res = await postLogin(t.http, form);
      expectInvalid(res, 'body', pointer);
    });

    it('when the password is wrong or the e-mail unknown, then both return the same 401 with a challenge', async () => {
      const user = await register(t.http);
      const wrongPassword = await loginAs(t.http, user.email, 'not the password');
      const unknownEmail = await loginAs(t.http, uniqueEmail('nobody'));
      expectBadGrant(wrongPassword);
      expectBadGrant(unknownEmail);
      expect(unknownEmail.body.detail).toBe(wrongPassword.body.detail);
      expect(unknownEmail.headers['www-authenticate']).toBe(
        wrongPassword.headers['www-authenticate'],
      );
    });

    it('when the credentials are sent as JSON instead of a form, then returns 415', async () => {
      const user = await register(t.http);
      const res = await t.http.post(LOGIN).send({ username: user.email, password: PASSWORD });
      expectProblem(res, 415, 'unsupported-media-type');
    });
  });

  describe('POST /auth/refresh', () => {
    it('when the refresh token is fresh, then returns 200 with a new pair and a different refresh token', async () => {
      const account = await signUp(t.http);
      const res = await postRefresh(t.http, account.refreshToken).expect(200);
      expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
      expect(res.body.refresh_token).not.toBe(account.refreshToken);
      expect(res.headers['cache-control']).toBe('no-store');
      const me = await getMe(t.http, res.body.access_token).expect(200);
      expect(me.body.id).toBe(account.id);
    });

    it('when a used refresh token comes back, then returns 401 and ends the whole session', async () => {
      const account = await signUp(t.http);
      const rotated = await postRefresh(t.http, account.refreshToken).expect(200);
      await getMe(t.http, rotated.body.access_token).expect(200);

      expectBadGrant(await postRefresh(t.http, account.refreshToken));

      expectBadGrant(await postRefresh(t.http, rotated.body.refresh_token));
      expectUnauthorized(await getMe(t.http, rotated.body.access_token));
      expectUnauthorized(await getMe(t.http, account.accessToken));
    });

    it('when the reuse is detected, then the other sessions of the user are untouched', async () => {
      const account = await signUp(t.http);
      const other = await login(t.http, account.email);
      await postRefresh(t.http, account.refreshToken).expect(200);
      await postRefresh(t.http, account.refreshToken).expect(401);
      await getMe(t.http, other.accessToken).expect(200);
      await postRefresh(t.http, other.refreshToken).expect(200);
    });

    it.each([
      ['unknown', 'A'.repeat(43)],
      ['garbage', '../../etc/passwd; drop table sessions'],
    ])('when the refresh token is %s, then returns 401', async (_case, token) => {
      expectBadGrant(await postRefresh(t.http, token));
    });

    it('when refresh_token is missing, then returns 400 with a pointer to it', async () => {
      const res = await t.http.post(REFRESH).send({});
      expectInvalid(res, 'body', '/refresh_token');
    });

    it('when an unknown field is sent, then returns 400 with a pointer to it', async () => {
      const account = await signUp(t.http);
      const body = { refresh_token: account.refreshToken, user_id: 1 };
      expectInvalid(await t.http.post(REFRESH).send(body), 'body', '/user_id');
    });

    it('when the body is a form instead of JSON, then returns 415', async () => {
      const account = await signUp(t.http);
      const form = { refresh_token: account.refreshToken };
      const res = await t.http.post(REFRESH).type('form').send(form);
      expectProblem(res, 415, 'unsupported-media-type');
    });
  });

  describe('POST /auth/logout', () => {
    it('when the access token is valid, then returns 204 and the access and refresh tokens die at once', async () => {
      const account = await signUp(t.http);
      await getMe(t.http, account.accessToken).expect(200);
      const res = await logout(t.http, account.accessToken).expect(204);
      expect(res.text).toBe('');
      expectUnauthorized(await getMe(t.http, account.accessToken));
      expectBadGrant(await postRefresh(t.http, account.refreshToken));
      expectUnauthorized(await logout(t.http, account.accessToken));
    });

    it('when no access token is sent, then returns 401 with WWW-Authenticate: Bearer', async () => {
      expectUnauthorized(await t.http.post(LOGOUT));
    });

    it('when an unknown query parameter is sent, then returns 400 naming it and the session lives on', async () => {
      const account = await signUp(t.http);
      const res = await t.http
        .post(`${LOGOUT}?everywhere=true`)
        .set('Authorization', `Bearer ${account.accessToken}`);
      expectInvalid(res, 'query', '/everywhere');
      await getMe(t.http, account.accessToken).expect(200);
    });
  });

  describe('GET /users/me with a tampered token', () => {
    let claims: { sub: string; sid: string };
    const now = () => Math.floor(Date.now() / 1000);

    /** Signs an access token like the API does, then applies the overrides. */
    function forge(
      overrides: { payload?: object; key?: KeyObject; algorithm?: Algorithm } = {},
    ): string {
      const { issuer, audience } = t.container.accessTokens.options;
      const payload = {
        ...claims,
        iss: issuer,
        aud: audience,
        exp: now() + 600,
        ...overrides.payload,
      };
      return jwt.sign(payload, overrides.key ?? t.container.accessTokens.key, {
        algorithm: overrides.algorithm ?? 'HS256',
      });
    }

    beforeAll(async () => {
      const { accessToken } = await signUp(t.http);
      const { sub, sid } = jwt.decode(accessToken) as typeof claims;
      claims = { sub, sid };
    });

    it('when the token is forged exactly like the real one, then returns 200 (the forger is sound)', async () => {
      await getMe(t.http, forge()).expect(200);
    });

    it('when the token is unsigned (alg none), then returns 401', async () => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const [, payload] = forge().split('.');
      const header = encode({ alg: 'none', typ: 'JWT' });
      expectUnauthorized(await getMe(t.http, `${header}.${payload}.`));
      expectUnauthorized(await getMe(t.http, `${header}.${payload}`));
    });

    it('when the token is signed with another key, then returns 401', async () => {
      const key = createSecretKey(Buffer.from('some-other-secret-of-sufficient-length!!'));
      expectUnauthorized(await getMe(t.http, forge({ key })));
    });

    it('when the token is signed with HS512 and the right key, then returns 401', async () => {
      expectUnauthorized(await getMe(t.http, forge({ algorithm: 'HS512' })));
    });

    it('when the token has expired, then returns 401 saying so', async () => {
      const res = await getMe(t.http, forge({ payload: { iat: now() - 3600, exp: now() - 60 } }));
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/expired/);
    });

    it.each([
      ['the issuer is wrong', { iss: 'someone-else' }],
      ['the audience is wrong', { aud: 'another-api' }],
      ['the subject is missing', { sub: undefined }],
      ['the session id is missing', { sid: undefined }],
      ['the session never existed', { sid: randomUUID() }],
    ])('when %s, then returns 401', async (_case, payload) => {
      expectUnauthorized(await getMe(t.http, forge({ payload })));
    });

    it('when the session belongs to another user, then returns 401', async () => {
      const other = await signUp(t.http);
      expectUnauthorized(await getMe(t.http, forge({ payload: { sub: String(other.id) } })));
    });

    it('when a refresh token is used as the access token, then returns 401', async () => {
      const fresh = await signUp(t.http);
      expectUnauthorized(await getMe(t.http, fresh.refreshToken));
    });

    it('when the session of a validly signed token was revoked, then returns 401', async () => {
      const fresh = await signUp(t.http);
      const revoked = jwt.decode(fresh.accessToken) as typeof claims;
      await logout(t.http, fresh.accessToken).expect(204);
      const res = await getMe(t.http, forge({ payload: { sub: revoked.sub, sid: revoked.sid } }));
      expectUnauthorized(res);
    });

    it.each(['Bearer', 'Bearer ', 'Basic xyz', 'Bearer not.a.jwt', 'Token abc'])(
      'when the Authorization header is "%s", then returns 401',
      async (authorization) => {
        expectUnauthorized(await t.http.get(ME).set('Authorization', authorization));
      },
    );
  });

  describe('PATCH /users/me changing the password', () => {
    it('when the password changes, then every other session ends at once and the current one lives on', async () => {
      const account = await signUp(t.http);
      const other = await login(t.http, account.email);
      await getMe(t.http, other.accessToken).expect(200);

      await changePassword(t.http, account).expect(200);

      expectUnauthorized(await getMe(t.http, other.accessToken));
      expectBadGrant(await postRefresh(t.http, other.refreshToken));
      await getMe(t.http, account.accessToken).expect(200);
      await postRefresh(t.http, account.refreshToken).expect(200);
      expectBadGrant(await loginAs(t.http, account.email));
      await loginAs(t.http, account.email, NEW_PASSWORD).expect(200);
    });
  });
});

describe('auth with tight limits (2 KiB bodies, 3 failed logins)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '2048', LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(() => t.close());

  it('when the login form is over the limit, then returns 413', async () => {
    const res = await loginAs(t.http, uniqueEmail(), 'x'.repeat(4096));
    expectProblem(res, 413, 'payload-too-large');
  });

  it('when the refresh body is over the limit, then returns 413', async () => {
    expectProblem(await postRefresh(t.http, 'x'.repeat(4096)), 413, 'payload-too-large');
  });

  it('when the password was wrong 3 times, then returns 429 with Retry-After, even for the right password', async () => {
    const user = await register(t.http);
    for (let attempt = 0; attempt < 3; attempt++) {
      await loginAs(t.http, user.email, 'not the password').expect(401);
    }
    const locked = await loginAs(t.http, user.email, 'not the password');
    expectProblem(locked, 429, 'too-many-requests');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    const right = await loginAs(t.http, user.email.toUpperCase());
    expectProblem(right, 429, 'too-many-requests');
  });

  it('when another e-mail failed 3 times, then this one can still log in', async () => {
    const locked = await register(t.http);
    const user = await register(t.http);
    for (let attempt = 0; attempt < 4; attempt++) {
      await loginAs(t.http, locked.email, 'not the password');
    }
    await loginAs(t.http, user.email).expect(200);
  });
});

const describeReal = describeIf(
  services.postgres && services.redis,
  'needs PostgreSQL and Redis shared by two API processes (set DATABASE_URL and REDIS_URL)',
);

describeReal('auth across two API processes', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('when a session is logged out on A, then B refuses its access token at once', async () => {
    const account = await signUp(a.http);
    await getMe(b.http, account.accessToken).expect(200);
    await getMe(b.http, account.accessToken).expect(200); // now answered from the shared cache
    await logout(a.http, account.accessToken).expect(204);
    expectUnauthorized(await getMe(b.http, account.accessToken));
  });

  it('when a refresh token is reused on B, then A refuses the session at once', async () => {
    const account = await signUp(a.http);
    const rotated = await postRefresh(a.http, account.refreshToken).expect(200);
    await getMe(a.http, rotated.body.access_token).expect(200);
    await postRefresh(b.http, account.refreshToken).expect(401);
    expectUnauthorized(await getMe(a.http, rotated.body.access_token));
  });

  it('when the password changes on A, then B refuses the other sessions at once', async () => {
    const account = await signUp(a.http);
    const other = await login(b.http, account.email);
    await getMe(b.http, other.accessToken).expect(200);
    await changePassword(a.http, account).expect(200);
    expectUnauthorized(await getMe(b.http, other.accessToken));
    await getMe(b.http, account.accessToken).expect(200);
  });
});
