import { randomInt, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Response } from 'supertest';
import { PASSWORD, register, signUp, uniqueEmail } from '../helpers/factories';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const USERS = '/api/v1/users';
const ME = '/api/v1/users/me';
const LOGIN = '/api/v1/auth/login';
const RESET = '/api/v1/auth/password-reset';
const CONFIRM = '/api/v1/auth/password-reset/confirm';

/** An address of its own, as the proxy in front of the app (TRUST_PROXY=1) would append it. */
const someAddress = () => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const isolated = (env: Record<string, string>) => ({
  CACHE_KEY_PREFIX: `t-${randomUUID().slice(0, 8)}:`,
  TRUST_PROXY: '1',
  ...env,
});

const statusesOf = (responses: Response[]) => [...new Set(responses.map((r) => r.status))].sort();

describe('password work', () => {
  let t: TestApp;
  const hashes = jest.spyOn(bcrypt, 'hash');
  const compares = jest.spyOn(bcrypt, 'compare');
  beforeAll(async () => {
    t = await startTestApp(
      isolated({
        PASSWORD_RESET_MAX_REQUESTS_PER_ADDRESS: '2',
        PASSWORD_RESET_MAX_FAILURES_PER_ADDRESS: '2',
        CURRENT_PASSWORD_MAX_FAILURES: '3',
      }),
    );
  });
  afterAll(() => t.close());
  beforeEach(() => {
    hashes.mockClear();
    compares.mockClear();
  });

  describe('POST /users', () => {
    it('when the e-mail is taken in another spelling, then returns 409 before any hashing', async () => {
      const { email } = await register(t.http);
      hashes.mockClear();
      const res = await t.http
        .post(USERS)
        .set('X-Forwarded-For', someAddress())
        .send({ email: email.toUpperCase(), name: 'Copy', password: 'another horse battery' });
      expectProblem(res, 409, 'email-taken');
      expect(hashes).not.toHaveBeenCalled();
    });

    it.each(['12345678', 'Password1', 'qwertyuiop'])(
      'when the password is the common %j, then returns 400 pointing at /password',
      async (password) => {
        const res = await t.http
          .post(USERS)
          .set('X-Forwarded-For', someAddress())
          .send({ email: uniqueEmail(), name: 'Common', password });
        expectInvalid(res, 'body', '/password');
        expect(hashes).not.toHaveBeenCalled();
      },
    );
  });

  describe('password reset', () => {
    it('when the token is bogus, then returns 400 without hashing the new password', async () => {
      const res = await t.http
        .post(CONFIRM)
        .set('X-Forwarded-For', someAddress())
        .send({ token: 'bogus-token', new_password: 'a brand new horse battery' });
      expectProblem(res, 400, 'invalid-token');
      expect(hashes).not.toHaveBeenCalled();
    });

    it('when one address sends more bogus tokens than the limit, then returns 429', async () => {
      const via = someAddress();
      const confirm = () =>
        t.http
          .post(CONFIRM)
          .set('X-Forwarded-For', via)
          .send({ token: randomUUID(), new_password: 'a brand new horse battery' });
      expectProblem(await confirm(), 400, 'invalid-token');
      expectProblem(await confirm(), 400, 'invalid-token');
      expectProblem(await confirm(), 429, 'too-many-requests');
    });

    it('when one address asks resets for more e-mails than the limit, then returns 429', async () => {
      const via = someAddress();
      const ask = () =>
        t.http.post(RESET).set('X-Forwarded-For', via).send({ email: uniqueEmail() });
      await ask().expect(202);
      await ask().expect(202);
      expectProblem(await ask(), 429, 'too-many-requests');
    });
  });

  describe('PATCH /users/me', () => {
    it('when only the name changes but current_password is sent, then returns 400 and no password is compared', async () => {
      const me = await signUp(t.http);
      compares.mockClear();
      const res = await t.http
        .patch(ME)
        .set(me.auth)
        .send({ name: 'Renamed', current_password: 'a guess at it' });
      expectInvalid(res, 'body', '/current_password');
      expect(compares).not.toHaveBeenCalled();
    });

    it('when current_password is wrong more often than the limit, then returns 429, even for the right one', async () => {
      const me = await signUp(t.http);
      const change = (current: string) =>
        t.http
          .patch(ME)
          .set(me.auth)
          .send({ password: 'a new horse battery', current_password: current });
      for (let i = 0; i < 3; i += 1)
        expectProblem(await change(`guess ${i}`), 403, 'wrong-password');
      expectProblem(await change(PASSWORD), 429, 'too-many-requests');
    });
  });
});

describe('bcrypt bounded', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      isolated({
        BCRYPT_COST: '10',
        BCRYPT_MAX_CONCURRENT: '1',
        BCRYPT_MAX_QUEUED: '1',
        BCRYPT_MAX_PER_CLIENT: '1',
        SIGNUP_MAX_PER_ADDRESS: '2',
      }),
    );
  });
  afterAll(() => t.close());

  const flood = (count: number, via: () => string) =>
    Promise.all(
      Array.from({ length: count }, () =>
        t.http
          .post(LOGIN)
          .type('form')
          .set('X-Forwarded-For', via())
          .send({ username: uniqueEmail(), password: PASSWORD }),
      ),
    );

  it('when more logins arrive than the hashes and queue hold, then the rest get 503 with Retry-After', async () => {
    const responses = await flood(12, someAddress);
    expect(statusesOf(responses)).toEqual([401, 503]);
    for (const res of responses.filter((r) => r.status === 503)) {
      expectProblem(res, 503, 'unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('when one client sends several logins at once, then those beyond its share get 429', async () => {
    const via = someAddress();
    const responses = await flood(6, () => via);
    expect(statusesOf(responses)).toEqual([401, 429]);
    for (const res of responses.filter((r) => r.status === 429)) {
      expectProblem(res, 429, 'too-many-requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('when one address signs up more than the limit, then returns 429 with Retry-After', async () => {
    const via = someAddress();
    const signUpVia = () =>
      t.http
        .post(USERS)
        .set('X-Forwarded-For', via)
        .send({ email: uniqueEmail(), name: 'Many', password: PASSWORD });
    await signUpVia().expect(201);
    await signUpVia().expect(201);
    const res = await signUpVia();
    expectProblem(res, 429, 'too-many-requests');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
