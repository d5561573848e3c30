import request from 'supertest';
import { signUp, type Account } from '../helpers/factories';
import { createPost, POSTS } from '../helpers/posts';
import { expectProblem } from '../helpers/problems';
import { queriesDuring, selectsOfPost } from '../helpers/sql-log';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { describeIf, services } from '../helpers/describe-if';

const USERS = '/api/v1/users';
const ME = '/api/v1/users/me';
/**
 * These tests count cache hits, so a busy shared machine must not turn a slow Redis answer into a
 * miss; what a timeout does is the subject of cache-outage.test.ts.
 */
const PATIENT = { REDIS_COMMAND_TIMEOUT_MS: '2000' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(PATIENT);
});
afterAll(() => t.close());

/** Caches the viewer's session, so later counts see only the statements of the read itself. */
const warmUp = (app: TestApp, viewer: Account) => app.http.get(ME).set(viewer.auth).expect(200);

async function readTwice(app: TestApp, viewer: Account, url: string) {
  await warmUp(app, viewer);
  await app.http.get(url).set(viewer.auth).expect(200);
  const hitsBefore = app.container.cache.stats().hits;
  let second: request.Response | undefined;
  const queries = await queriesDuring(app.container.database.knex, ['users', 'posts'], async () => {
    second = await app.http.get(url).set(viewer.auth).expect(200);
  });
  return { queries, second: second!, hits: app.container.cache.stats().hits - hitsBefore };
}

describe('cache-aside reads', () => {
  it('when a post is read a second time, then it comes from the cache without SQL on posts', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author, { title: 'Cached' });
    const { queries, second, hits } = await readTwice(t, reader, `${POSTS}/${post.id}`);
    expect(queries).toEqual([]);
    expect(hits).toBeGreaterThan(0);
    expect(second.body.title).toBe('Cached');
    expect(second.headers.etag).toBe(post.etag);
  });

  it('when a user is read a second time, then it comes from the cache without SQL on users', async () => {
    const [viewer, other] = [await signUp(t.http), await signUp(t.http, { name: 'Cached' })];
    const { queries, second, hits } = await readTwice(t, viewer, `${USERS}/${other.id}`);
    expect(queries).toEqual([]);
    expect(hits).toBeGreaterThan(0);
    expect(second.body.name).toBe('Cached');
  });
});

describe('reads right after writes, in the same process', () => {
  it('when a cached post is edited, then the next read has the edit and its ETag', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author, { title: 'Before' });
    await readTwice(t, reader, `${POSTS}/${post.id}`);
    const edit = await t.http
      .patch(`${POSTS}/${post.id}`)
      .set(author.auth)
      .send({ title: 'After' })
      .expect(200);
    const res = await t.http.get(`${POSTS}/${post.id}`).set(reader.auth).expect(200);
    expect(res.body.title).toBe('After');
    expect(res.headers.etag).toBe(edit.headers.etag);
  });

  it('when a cached post is deleted, then the next read is 404', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author);
    await readTwice(t, reader, `${POSTS}/${post.id}`);
    await t.http.delete(`${POSTS}/${post.id}`).set(author.auth).expect(204);
    expectProblem(await t.http.get(`${POSTS}/${post.id}`).set(reader.auth), 404, 'not-found');
  });

  it('when a cached user changes their name, then the next reads have the new name', async () => {
    const [viewer, other] = [await signUp(t.http), await signUp(t.http, { name: 'Old' })];
    await readTwice(t, viewer, `${USERS}/${other.id}`);
    await readTwice(t, other, ME);
    await t.http.patch(ME).set(other.auth).send({ name: 'New' }).expect(200);
    expect((await t.http.get(`${USERS}/${other.id}`).set(viewer.auth)).body.name).toBe('New');
    expect((await t.http.get(ME).set(other.auth)).body.name).toBe('New');
  });

  it('when a cached user deletes their account, then the next read is 404', async () => {
    const [viewer, other] = [await signUp(t.http), await signUp(t.http)];
    await readTwice(t, viewer, `${USERS}/${other.id}`);
    await t.http.delete(ME).set(other.auth).expect(204);
    expectProblem(await t.http.get(`${USERS}/${other.id}`).set(viewer.auth), 404, 'not-found');
  });

  it('when the author of cached posts deletes their account, then their posts are 404 at once', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const posts = [await createPost(t.http, author), await createPost(t.http, author)];
    for (const post of posts) await readTwice(t, reader, `${POSTS}/${post.id}`);
    await t.http.delete(ME).set(author.auth).expect(204);
    for (const post of posts) {
      expectProblem(await t.http.get(`${POSTS}/${post.id}`).set(reader.auth), 404, 'not-found');
    }
  });

  it('when an operator changes a cached user’s role, then the next read has the new role', async () => {
    const [viewer, other] = [await signUp(t.http), await signUp(t.http)];
    await readTwice(t, viewer, `${USERS}/${other.id}`);
    await t.container.services.users.setRole(other.email, 'admin');
    // Others see a public profile without the role; the user themself sees it.
    expect((await t.http.get(`${USERS}/${other.id}`).set(other.auth)).body.role).toBe('admin');
    await t.container.services.users.setRole(other.email, 'user');
    expect((await t.http.get(`${USERS}/${other.id}`).set(other.auth)).body.role).toBe('user');
  });
});

describe('stampede protection', () => {
  it('when 20 requests miss the same cold post at once, then the database is read once', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author, { title: 'Popular' });
    await warmUp(t, reader);
    let responses: request.Response[] = [];
    const queries = await queriesDuring(t.container.database.knex, ['posts'], async () => {
      responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http.get(`${POSTS}/${post.id}`).set(reader.auth)),
      );
    });
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((res) => res.headers.etag))).toEqual(new Set([post.etag]));
    expect(selectsOfPost(queries, post.id)).toHaveLength(1);
  });
});

describe('GET /metrics', () => {
  it('when scraped, then exposes cache hits and misses and request durations per operation', async () => {
    const [author, reader] = [await signUp(t.http), await signUp(t.http)];
    const post = await createPost(t.http, author);
    await readTwice(t, reader, `${POSTS}/${post.id}`);
    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const { hits, misses } = t.container.cache.stats();
    expect(res.text).toMatch(new RegExp(`^inkwell_cache_hits_total ${hits}$`, 'm'));
    expect(res.text).toMatch(new RegExp(`^inkwell_cache_misses_total ${misses}$`, 'm'));
    expect(hits).toBeGreaterThan(0);
    expect(res.text).toMatch(/^inkwell_cache_errors_total \d+$/m);
    expect(res.text).toMatch(
      /^inkwell_http_request_duration_seconds_bucket\{.*operation="getPost".*status="200".*\} \d+$/m,
    );
    expect(res.text).toMatch(/^inkwell_http_request_duration_seconds_count\{.*\} \d+$/m);
  });
});

const describeShared = describeIf(
  services.postgres && services.redis,
  'needs PostgreSQL and Redis shared by two API processes (set DATABASE_URL and REDIS_URL)',
);

describeShared('two API processes sharing one Redis and one database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(PATIENT), startTestApp(PATIENT)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('when a post cached on A is edited on B, then A answers with the edit at once', async () => {
    const [author, reader] = [await signUp(b.http), await signUp(a.http)];
    const post = await createPost(b.http, author, { title: 'Before' });
    const { queries } = await readTwice(a, reader, `${POSTS}/${post.id}`);
    expect(queries).toEqual([]); // A answers from the cache...
    const edit = await b.http
      .patch(`${POSTS}/${post.id}`)
      .set(author.auth)
      .send({ title: 'After' })
      .expect(200);
    const res = await a.http.get(`${POSTS}/${post.id}`).set(reader.auth).expect(200);
    expect(res.body.title).toBe('After'); // ...and never stale after B's write.
    expect(res.headers.etag).toBe(edit.headers.etag);
  });

  it('when a post cached on A is deleted on B, then A answers 404 at once', async () => {
    const [author, reader] = [await signUp(b.http), await signUp(a.http)];
    const post = await createPost(b.http, author);
    await readTwice(a, reader, `${POSTS}/${post.id}`);
    await b.http.delete(`${POSTS}/${post.id}`).set(author.auth).expect(204);
    expectProblem(await a.http.get(`${POSTS}/${post.id}`).set(reader.auth), 404, 'not-found');
  });

  it('when a user cached on A is renamed on B, then A answers with the new name at once', async () => {
    const [viewer, other] = [await signUp(a.http), await signUp(b.http, { name: 'Old' })];
    const { queries } = await readTwice(a, viewer, `${USERS}/${other.id}`);
    expect(queries).toEqual([]);
    await b.http.patch(ME).set(other.auth).send({ name: 'New' }).expect(200);
    const res = await a.http.get(`${USERS}/${other.id}`).set(viewer.auth).expect(200);
    expect(res.body.name).toBe('New');
  });

  it('when the author of posts cached on A deletes their account on B, then A answers 404 at once', async () => {
    const [author, reader] = [await signUp(b.http), await signUp(a.http)];
    const post = await createPost(b.http, author);
    await readTwice(a, reader, `${POSTS}/${post.id}`);
    await b.http.delete(ME).set(author.auth).expect(204);
    expectProblem(await a.http.get(`${POSTS}/${post.id}`).set(reader.auth), 404, 'not-found');
    expectProblem(await a.http.get(`${USERS}/${author.id}`).set(reader.auth), 404, 'not-found');
  });

  it('when a process that has just started takes a write at once, then A answers with it', async () => {
    const [author, reader] = [await signUp(a.http), await signUp(a.http)];
    const post = await createPost(a.http, author, { title: 'Before' });
    await readTwice(a, reader, `${POSTS}/${post.id}`);
    const fresh = await startTestApp(PATIENT);
    try {
      await fresh.http
        .patch(`${POSTS}/${post.id}`)
        .set(author.auth)
        .send({ title: 'After' })
        .expect(200);
    } finally {
      await fresh.close();
    }
    const res = await a.http.get(`${POSTS}/${post.id}`).set(reader.auth).expect(200);
    expect(res.body.title).toBe('After');
  });

  it('when B grants a role, then A lets the new admin edit others’ posts at once', async () => {
    const [author, editor] = [await signUp(a.http), await signUp(a.http)];
    const post = await createPost(a.http, author);
    await a.http.get(`${USERS}/${editor.id}`).set(author.auth).expect(200);
    expectProblem(
      await a.http.patch(`${POSTS}/${post.id}`).set(editor.auth).send({ title: 'x' }),
      403,
    );
    await b.container.services.users.setRole(editor.email, 'admin');
    await a.http.patch(`${POSTS}/${post.id}`).set(editor.auth).send({ title: 'x' }).expect(200);
    const res = await a.http.get(`${USERS}/${editor.id}`).set(editor.auth).expect(200);
    expect(res.body.role).toBe('admin');
  });
});
