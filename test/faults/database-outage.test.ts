import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { describeIf, services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { signUp, login, uniqueEmail, PASSWORD, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { createPost, POSTS } from '../helpers/posts';
import { expectProblem } from '../helpers/problems';
import { proxyInFrontOf, type TcpProxy } from '../helpers/tcp-proxy';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** The bounds the app runs with here: short, so that a fault shows in a second, not in ten. */
const TIMEOUTS = {
  DATABASE_CONNECT_TIMEOUT_MS: '500',
  DATABASE_POOL_WAIT_MS: '1000',
  DATABASE_QUERY_TIMEOUT_MS: '1000',
};
/** A request that takes longer than this has hung: far beyond the bounds above, even under load. */
const HUNG_MS = 20_000;

const expectUnavailable = (res: Response) => {
  expectProblem(res, 503, 'unavailable');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
};

const statuses = (responses: Response[]) => {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
};

describeIf(services.postgres, 'needs PostgreSQL (DATABASE_URL): a proxy stands in front of it')(
  'PostgreSQL at fault, behind a proxy the test controls',
  () => {
    let database: IsolatedDatabase;
    let proxy: TcpProxy;
    let t: TestApp;
    let author: Account;

    beforeAll(async () => {
      database = await isolatedDatabase('outage');
      let url: string;
      ({ proxy, url } = await proxyInFrontOf(database.env.DATABASE_URL!));
      t = await startTestApp({
        ...database.env,
        DATABASE_URL: url,
        DATABASE_POOL_MAX: '2',
        ...TIMEOUTS,
      });
      author = await signUp(t.http);
    });

    afterAll(async () => {
      await proxy?.set('pass');
      await t?.close();
      await proxy?.close();
      await database?.drop();
    });

    afterEach(async () => {
      await proxy.set('pass');
      await eventually(
        async () => ((await t.http.get('/readyz')).status === 200 ? true : undefined),
        'the database to be ready again',
      );
    });

    it('when PostgreSQL refuses connections, then every operation needing it answers 503 (never 500 or 401), and cached reads go on', async () => {
      const post = await createPost(t.http, author);
      // Read once, so that the session, the user and the post are in the cache.
      await t.http.get(`/api/v1/users/${author.id}`).set(author.auth).expect(200);
      await t.http.get(`${POSTS}/${post.id}`).set(author.auth).expect(200);
      // A second session, never used: checking it needs the database.
      const other = await login(t.http, author.email);
      const uncached = { Authorization: `Bearer ${other.accessToken}` };

      await proxy.set('refuse');

      await t.http.get(`/api/v1/users/${author.id}`).set(author.auth).expect(200);
      await t.http.get(`${POSTS}/${post.id}`).set(author.auth).expect(200);

      const ready = await t.http.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database.status).toBe('down');

      const calls: Array<[string, () => Promise<Response>]> = [
        [
          'createUser',
          () =>
            t.http
              .post('/api/v1/users')
              .send({ email: uniqueEmail(), name: 'New', password: PASSWORD }),
        ],
        [
          'login',
          () =>
            t.http
              .post('/api/v1/auth/login')
              .type('form')
              .send({ username: author.email, password: PASSWORD }),
        ],
        [
          'refreshToken',
          () => t.http.post('/api/v1/auth/refresh').send({ refresh_token: other.refreshToken }),
        ],
        ['logout', () => t.http.post('/api/v1/auth/logout').set(uncached)],
        [
          'verifyEmail',
          () => t.http.post('/api/v1/auth/verify-email').send({ token: randomUUID() }),
        ],
        [
          'requestPasswordReset',
          () => t.http.post('/api/v1/auth/password-reset').send({ email: author.email }),
        ],
        [
          'resetPassword',
          () =>
            t.http
              .post('/api/v1/auth/password-reset/confirm')
              .send({ token: randomUUID(), new_password: 'a brand new horse battery' }),
        ],
        ['listUsers', () => t.http.get('/api/v1/users').set(uncached)],
        ['getMe', () => t.http.get('/api/v1/users/me').set(uncached)],
        ['updateMe', () => t.http.patch('/api/v1/users/me').set(author.auth).send({ name: 'X' })],
        ['deleteMe', () => t.http.delete('/api/v1/users/me').set(uncached)],
        ['getUser', () => t.http.get(`/api/v1/users/${author.id}`).set(uncached)],
        ['createPost', () => t.http.post(POSTS).set(author.auth).send({ title: 'T', body: 'B' })],
        ['listPosts', () => t.http.get(POSTS).set(author.auth)],
        ['getPost', () => t.http.get(`${POSTS}/${post.id}`).set(uncached)],
        [
          'updatePost',
          () => t.http.patch(`${POSTS}/${post.id}`).set(author.auth).send({ title: 'New title' }),
        ],
        ['deletePost', () => t.http.delete(`${POSTS}/${post.id}`).set(author.auth)],
        ['exportMyData', () => t.http.post('/api/v1/users/me/export').set(author.auth)],
        ['getJob', () => t.http.get('/api/v1/jobs/1').set(author.auth)],
        ['getJobResult', () => t.http.get('/api/v1/jobs/1/result').set(author.auth)],
      ];
      const answers: Record<string, number> = {};
      const took: Record<string, number> = {};
      for (const [operation, call] of calls) {
        const started = Date.now();
        const res = await call();
        took[operation] = Date.now() - started;
        answers[operation] = res.status;
        if (res.status === 503) expectUnavailable(res);
      }
      console.log(`database refusing: ms per operation ${JSON.stringify(took)}`);
      expect(answers).toEqual(Object.fromEntries(calls.map(([operation]) => [operation, 503])));

      await proxy.set('pass');
      const back = Date.now();
      await eventually(
        async () => ((await t.http.get(POSTS).set(author.auth)).status === 200 ? true : undefined),
        'reads from the database again',
      );
      console.log(`database accepting again: serving after ${Date.now() - back} ms`);
      await t.http.patch('/api/v1/users/me').set(author.auth).send({ name: 'Back' }).expect(200);
    });

    it('when every connection is reset at once, then no request fails with 500 and the pool reconnects by itself', async () => {
      await t.http.get(POSTS).set(author.auth).expect(200);
      proxy.resetAll();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http.get(POSTS).set(author.auth)),
      );
      for (const res of responses) {
        if (res.status !== 200) expectUnavailable(res);
      }
      await eventually(
        async () => ((await t.http.get(POSTS).set(author.auth)).status === 200 ? true : undefined),
        'the pool to reconnect',
      );
    });

    it('when PostgreSQL stops answering (blackholed, no RST), then every request ends with 503 instead of hanging', async () => {
      await t.http.get(POSTS).set(author.auth).expect(200);
      await proxy.set('blackhole');
      const started = Date.now();
      const timed = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const res = await t.http.get(POSTS).set(author.auth).timeout(HUNG_MS);
          return { res, ms: Date.now() - started };
        }),
      );
      for (const { res } of timed) expectUnavailable(res);
      const slowest = Math.max(...timed.map(({ ms }) => ms));
      console.log(`blackholed database: 8 requests, all 503, the slowest after ${slowest} ms`);
    });

    it('when the pool cannot serve the queue within the bound, then new requests are refused at once with 503, not queued', async () => {
      await proxy.set('slow', { delayMs: 300 });
      const responses = await Promise.all(
        Array.from({ length: 40 }, () => t.http.get(POSTS).set(author.auth).timeout(HUNG_MS)),
      );
      const counts = statuses(responses);
      expect(Object.keys(counts).sort()).toEqual(['200', '503']);
      const refused = responses.filter((res) => res.status === 503);
      for (const res of refused) expectUnavailable(res);
      expect(refused.some((res) => /saturated/.test(res.body.detail))).toBe(true);
      console.log(
        `saturated pool (2 connections, +300 ms per reply, 40 at once): ${JSON.stringify(counts)}`,
      );
    });
  },
);
