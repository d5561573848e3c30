import request from 'supertest';
import { login, signUp, type Account } from '../helpers/factories';
import { createPost, POSTS } from '../helpers/posts';
import { PATIENCE_MS } from '../helpers/eventually';
import { expectProblem } from '../helpers/problems';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { describeIf } from '../helpers/describe-if';

const ME = '/api/v1/users/me';
/** Well under what a client would call a hang, and far more than a healthy answer takes. */
const PROMPT_MS = 2_000;

const describeWithRedis = describeIf(
  hasRedisServer(),
  'needs a redis-server binary on PATH to start and stop one of its own',
);

/** Runs one step (a request or two) and checks it answered promptly; statuses are checked by it. */
async function prompt<T>(step: () => PromiseLike<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  expect(Math.round(performance.now() - started)).toBeLessThan(PROMPT_MS);
  return result;
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

  it('when Redis is killed, then reads, writes, logins and authenticated requests still answer 2xx promptly', async () => {
    await redis.kill();

    expect((await prompt(() => getPost())).body.title).toBe('Before the outage');
    await prompt(() => t.http.get(ME).set(author.auth).expect(200));
    await prompt(() => t.http.get(`/api/v1/users/${author.id}`).set(reader.auth).expect(200));
    const edited = await prompt(() =>
      t.http.patch(`${POSTS}/${postId}`).set(author.auth).send({ title: 'During the outage' }),
    );
    expect(edited.status).toBe(200);
    expect((await prompt(() => getPost())).body.title).toBe('During the outage');
    const created = await prompt(() =>
      t.http.post(POSTS).set(author.auth).send({ title: 'New', body: 'Written with no cache.' }),
    );
    expect(created.status).toBe(201);
    await prompt(() => t.http.get(`${POSTS}?author_id=${author.id}`).set(reader.auth).expect(200));
    await prompt(() => t.http.delete(`${POSTS}/${created.body.id}`).set(author.auth).expect(204));
    expectProblem(await prompt(() => getPost(created.body.id)), 404, 'not-found');
    await prompt(() => t.http.patch(ME).set(reader.auth).send({ name: 'Renamed' }).expect(200));

    const newcomer = await prompt(() => signUp(t.http));
    await prompt(() => t.http.get(ME).set(newcomer.auth).expect(200));
    const second = await prompt(() => login(t.http, author.email));
    const token = { Authorization: `Bearer ${second.accessToken}` };
    await prompt(() => t.http.post('/api/v1/auth/logout').set(token).expect(204));
    // The session ended in the database, which is what every process falls back to.
    expectProblem(await prompt(() => t.http.get(ME).set(token)), 401, 'unauthorized');
  });

  it('when Redis is down, then /readyz answers 200 degraded with the cache down, and /metrics counts the errors', async () => {
    const res = await prompt(() => t.http.get('/readyz'));
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
