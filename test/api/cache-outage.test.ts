import request from 'supertest';
import { login, signUp, type Account } from '../helpers/factories';
import { createPost, POSTS } from '../helpers/posts';
import { PATIENCE_MS } from '../helpers/eventually';
import { expectProblem } from '../helpers/problems';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { describeIf } from '../helpers/describe-if';
import type { Cache } from '../../src/platform/cache/cache';

const ME = '/api/v1/users/me';

const describeWithRedis = describeIf(
  hasRedisServer(),
  'needs a redis-server binary on PATH to start and stop one of its own',
);

/** Runs one step (a request or two; statuses are checked by it); fails naming it if it hangs. */
async function answered<T>(step: () => PromiseLike<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('a request hung on the Redis outage')), PATIENCE_MS);
  });
  try {
    return await Promise.race([step(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a step that reads or invalidates the cache, and checks it was answered on the fallback path:
 * the cache was asked, failed at once (no offline queue, no retries) and the database answered.
 */
function onFallback(cache: () => Cache) {
  return async <T>(step: () => PromiseLike<T>): Promise<T> => {
    const errors = cache().stats().errors;
    const result = await answered(step);
    expect(cache().stats().errors).toBeGreaterThan(errors);
    return result;
  };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = PATIENCE_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of an unlabelled counter in a Prometheus text exposition. */
const counter = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

describeWithRedis('with its Redis stopped mid-run (one scenario, in order)', () => {
  let redis: OwnRedisServer;
  let t: TestApp;
  let author: Account;
  let reader: Account;
  let postId: number;
  const fromDatabase = onFallback(() => t.container.cache);

  const readiness = async () => (await t.http.get('/readyz').expect(200)).body;
  const getPost = (id = postId) => t.http.get(`${POSTS}/${id}`).set(reader.auth);

  beforeAll(async () => {
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    // The shared DATABASE_URL when set (startTestApp passes the environment on), else embedded.
    t = await startTestApp({ REDIS_URL: redis.url });
    await until(async () => (await readiness()).status === 'ok', 'the app reaches its Redis');
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('when Redis is up, then reads, writes and logins work and reads are cached', async () => {
    [author, reader] = [await signUp(t.http), await signUp(t.http)];
    postId = (await createPost(t.http, author, { title: 'Before the outage' })).id;
    await getPost().expect(200);
    const hits = t.container.cache.stats().hits;
    await getPost().expect(200);
    expect(t.container.cache.stats().hits).toBeGreaterThan(hits);
    expect(t.container.cache.kind).toBe('redis');
  });

  it('when Redis is killed, then reads, writes, logins and authenticated requests still answer 2xx from the database', async () => {
    await redis.kill();

    expect((await fromDatabase(() => getPost())).body.title).toBe('Before the outage');
    await fromDatabase(() => t.http.get(ME).set(author.auth).expect(200));
    await fromDatabase(() => t.http.get(`/api/v1/users/${author.id}`).set(reader.auth).expect(200));
    const edited = await fromDatabase(() =>
      t.http.patch(`${POSTS}/${postId}`).set(author.auth).send({ title: 'During the outage' }),
    );
    expect(edited.status).toBe(200);
    expect((await fromDatabase(() => getPost())).body.title).toBe('During the outage');
    const created = await fromDatabase(() =>
      t.http.post(POSTS).set(author.auth).send({ title: 'New', body: 'Written with no cache.' }),
    );
    expect(created.status).toBe(201);
    await fromDatabase(() =>
      t.http.get(`${POSTS}?author_id=${author.id}`).set(reader.auth).expect(200),
    );
    await fromDatabase(() =>
      t.http.delete(`${POSTS}/${created.body.id}`).set(author.auth).expect(204),
    );
    expectProblem(await fromDatabase(() => getPost(created.body.id)), 404, 'not-found');
    await fromDatabase(() =>
      t.http.patch(ME).set(reader.auth).send({ name: 'Renamed' }).expect(200),
    );

    // Sign-up and login ask no cache (their limits fall back to counting in the process).
    const newcomer = await answered(() => signUp(t.http));
    await fromDatabase(() => t.http.get(ME).set(newcomer.auth).expect(200));
    const second = await answered(() => login(t.http, author.email));
    const token = { Authorization: `Bearer ${second.accessToken}` };
    await fromDatabase(() => t.http.post('/api/v1/auth/logout').set(token).expect(204));
    // The session ended in the database, which is what every process falls back to.
    expectProblem(await fromDatabase(() => t.http.get(ME).set(token)), 401, 'unauthorized');
  });

  it('when Redis is down, then /readyz answers 200 degraded with the cache down, and /metrics counts the errors', async () => {
    const res = await answered(() => t.http.get('/readyz'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, cache: { status: 'down' } },
    });
    const metrics = await request(t.app).get('/metrics').expect(200);
    expect(counter(metrics.text, 'inkwell_cache_errors_total')).toBeGreaterThan(0);
    expect(t.container.cache.stats().errors).toBeGreaterThan(0);
  });

  it('when Redis comes back on the same port, then the app recovers and reads hit the cache again', async () => {
    await redis.start();
    await until(async () => (await readiness()).status === 'ok', 'the app reconnects');

    expect((await getPost().expect(200)).body.title).toBe('During the outage');
    const hits = t.container.cache.stats().hits;
    const errors = t.container.cache.stats().errors;
    await getPost().expect(200);
    expect(t.container.cache.stats().hits).toBeGreaterThan(hits);
    expect(t.container.cache.stats().errors).toBe(errors);

    await t.http.patch(`${POSTS}/${postId}`).set(author.auth).send({ title: 'After' }).expect(200);
    expect((await getPost().expect(200)).body.title).toBe('After');
  });
});
