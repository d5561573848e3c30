import { Redis } from 'ioredis';
import { createRedis, redisReady } from '../../src/platform/cache/create-redis';
import { RedisCache } from '../../src/platform/cache/redis-cache';
import { createLogger } from '../../src/platform/logger';
import { signUp, type Account } from '../helpers/factories';
import { createPost } from '../helpers/posts';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import { startTestApp, type TestApp } from '../helpers/test-app';

const describeWithRedis = hasRedisServer() ? describe : describe.skip;

/** The server's own count of socket reads (`INFO stats`). */
async function socketReads(probe: Redis): Promise<number> {
  const info = await probe.info('stats');
  return Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1]);
}

describeWithRedis('Redis round trips per request (a redis-server of its own)', () => {
  let redis: OwnRedisServer;
  let probe: Redis;
  let monitor: Redis;
  let monitorSource: Redis;
  let t: TestApp;
  let account: Account;
  // Commands as MONITOR lists them, with those a script runs inside Redis left out.
  const seen: string[] = [];

  beforeAll(async () => {
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    t = await startTestApp({ REDIS_URL: redis.url });
    probe = new Redis(redis.url);
    // monitor() opens a connection of its own: both are closed after.
    monitorSource = new Redis(redis.url);
    monitor = await monitorSource.monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!source.includes('lua')) seen.push(String(args[0]).toLowerCase());
    });
    account = await signUp(t.http);
  });
  afterAll(async () => {
    monitor?.disconnect();
    monitorSource?.disconnect();
    probe?.disconnect();
    await t?.close();
    await redis?.kill();
  });

  /**
   * What one request costs Redis: socket reads (one per round trip, as the client writes every
   * command of a turn at once) and the commands sent. The probe's own INFO after the request adds
   * one read, taken off, and marks the end of the request's commands in MONITOR's ordered stream.
   */
  async function measure(send: () => PromiseLike<unknown>) {
    const probes = () => seen.filter((name) => name === 'info').length;
    const monitored = async (count: number) => {
      while (probes() < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const earlier = probes();
    const before = await socketReads(probe);
    await monitored(earlier + 1);
    const from = seen.length;
    await send();
    const after = await socketReads(probe);
    await monitored(earlier + 2);
    return { roundTrips: after - before - 1, commands: seen.slice(from, seen.lastIndexOf('info')) };
  }

  it('when a user is read from the cache, then the session check and the reads are one command', async () => {
    const other = await signUp(t.http);
    const read = () => t.http.get(`/api/v1/users/${other.id}`).set(account.auth).expect(200);
    await read(); // fills the cache and loads the script
    await read();
    const cost = await measure(read);
    // The session, the user read and the reader's own record (whose role decides what is shown),
    // in one script call.
    expect(cost).toEqual({ roundTrips: 1, commands: ['evalsha'] });
  });

  it('when a post is read from the cache, then it costs one command too', async () => {
    const post = await createPost(t.http, account);
    const read = () => t.http.get(`/api/v1/posts/${post.id}`).set(account.auth).expect(200);
    await read();
    const cost = await measure(read);
    expect(cost).toEqual({ roundTrips: 1, commands: ['evalsha'] });
  });

  it('when the session has ended, then a cached read in the same round trip answers 401', async () => {
    const other = await signUp(t.http);
    const read = () => t.http.get(`/api/v1/users/${account.id}`).set(other.auth);
    expect((await read()).status).toBe(200);
    await t.http.post('/api/v1/auth/logout').set(other.auth).expect(204);
    const cost = await measure(async () => expect((await read()).status).toBe(401));
    expect(cost.roundTrips).toBe(1);
  });

  it('when reads of several requests are made in one event-loop turn, then they are one command', async () => {
    const client = createRedis(
      { url: redis.url, keyPrefix: 'batch-test:', commandTimeoutMs: 2_000 },
      createLogger('silent'),
    );
    try {
      expect(await redisReady(client, 5_000)).toBe(true);
      const cache = new RedisCache(client, createLogger('silent'));
      await cache.set('session:a', '1', 60);
      await cache.set('session:b', '2', 60);
      const versioned = (id: string) =>
        cache.readVersioned({
          versionKey: `user:${id}:version`,
          dataPrefix: `user:${id}:`,
          freshVersion: `fresh-${id}`,
          versionTtlSeconds: 60,
        });
      await versioned('1'); // creates the version token, so the next read finds it
      const cost = await measure(() =>
        Promise.all([
          cache.get('session:a'),
          versioned('1'),
          cache.get('session:b'),
          versioned('2'),
        ]),
      );
      expect(cost).toEqual({ roundTrips: 1, commands: ['evalsha'] });
      const again = await Promise.all([
        cache.get('session:a'),
        versioned('1'),
        cache.get('session:b'),
      ]);
      expect(again).toEqual(['1', { version: 'fresh-1', data: null }, '2']);
    } finally {
      client.disconnect();
    }
  });
});
