import { spawnApi, type ApiProcess } from '../helpers/api-process';
import { describeIf, services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { login, signUp, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { createPost, POSTS } from '../helpers/posts';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import { TcpProxy } from '../helpers/tcp-proxy';
import { buildOnce, killWorkers } from '../helpers/worker-process';

/** Reads of each kind per process after Redis is back. */
const ROUNDS = 30;

type Fault = 'cut' | 'paused';

describeIf(
  services.postgres && hasRedisServer(),
  'needs PostgreSQL (DATABASE_URL) and a redis-server binary to start one of its own',
)('Redis outage with writes during it, two API processes', () => {
  let database: IsolatedDatabase;
  let redis: OwnRedisServer;
  let proxy: TcpProxy;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    await buildOnce();
    database = await isolatedDatabase('stale');
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    proxy = new TcpProxy(redis.port);
    await proxy.start();
    const env = {
      ...database.env,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}/0`,
      CACHE_TTL_SECONDS: '600',
      SESSION_CACHE_TTL_SECONDS: '600',
    };
    [a, b] = await Promise.all([spawnApi(env), spawnApi(env)]);
  });

  afterAll(async () => {
    await killWorkers();
    await proxy?.close();
    await redis?.kill();
    await database?.drop();
  });

  const faults: Record<Fault, { start(): Promise<void>; end(): Promise<void> }> = {
    // Every connection reset and refused: writes' invalidations fail and are never delivered.
    cut: { start: () => proxy.set('refuse'), end: () => proxy.set('pass') },
    // Unreachable, keeping its connections and its data (SIGSTOP), then back (SIGCONT).
    paused: {
      start: async () => redis.pause(),
      end: async () => redis.resume(),
    },
  };

  it.each(['cut', 'paused'] as Fault[])(
    'when Redis is %s while a user, a post and a session change, then no process serves what they were before, once Redis is back',
    async (fault) => {
      const author: Account = await signUp(a.http);
      const post = await createPost(a.http, author, { title: 'Before' });
      const second = await login(a.http, author.email);
      const ended = { Authorization: `Bearer ${second.accessToken}` };
      // Both processes have the user, the post and both sessions in the shared cache.
      for (const api of [a, b]) {
        await api.http.get(`/api/v1/users/${author.id}`).set(author.auth).expect(200);
        await api.http.get(`${POSTS}/${post.id}`).set(author.auth).expect(200);
        await api.http.get('/api/v1/users/me').set(ended).expect(200);
      }

      await faults[fault].start();
      try {
        // Acknowledged writes, on one process, whose invalidations cannot reach Redis.
        await a.http.patch('/api/v1/users/me').set(author.auth).send({ name: 'After' }).expect(200);
        await a.http
          .patch(`${POSTS}/${post.id}`)
          .set(author.auth)
          .send({ title: 'After' })
          .expect(200);
        await a.http.post('/api/v1/auth/logout').set(ended).expect(204);
      } finally {
        await faults[fault].end();
      }
      await eventually(
        async () =>
          (await a.http.get('/readyz')).body.checks?.cache?.status === 'up' ? true : undefined,
        'Redis reachable again',
      );

      const stale: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, api] of [
          ['A', a],
          ['B', b],
        ] as const) {
          const user = await api.http.get(`/api/v1/users/${author.id}`).set(author.auth);
          if (user.body.name !== 'After') stale.push(`${name} user name ${user.body.name}`);
          const read = await api.http.get(`${POSTS}/${post.id}`).set(author.auth);
          if (read.body.title !== 'After') stale.push(`${name} post title ${read.body.title}`);
          const me = await api.http.get('/api/v1/users/me').set(ended);
          if (me.status !== 401) stale.push(`${name} ended session answered ${me.status}`);
        }
      }
      console.log(
        `Redis ${fault}: ${ROUNDS * 6} reads on two processes after recovery, ${stale.length} stale`,
      );
      expect(stale).toEqual([]);
    },
  );
});
