import { request as httpRequest } from 'node:http';
import { eventually, PATIENCE_MS } from '../helpers/eventually';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import {
  buildOnce,
  exitWithin,
  killWorkers,
  spawnBuilt,
  type WorkerProcess,
} from '../helpers/worker-process';

const describeCluster = process.env.DATABASE_URL && hasRedisServer() ? describe : describe.skip;

/** One request on a connection of its own, so that the primary may hand it to any process. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** The pids of the API processes that said they were ready, in order. */
const readyPids = (primary: WorkerProcess) =>
  [...primary.output().matchAll(/"pid":(\d+),"msg":"API process ready"/g)].map((m) => Number(m[1]));

const healthCount = (metrics: string) =>
  Number(
    /^inkwell_http_request_duration_seconds_count\{operation="health",method="GET",status="200"\} (\d+)$/m.exec(
      metrics,
    )?.[1] ?? 0,
  );

describeCluster('cluster mode (WEB_CONCURRENCY=2, one scenario in order)', () => {
  let redis: OwnRedisServer;
  let primary: WorkerProcess;
  let port: number;

  beforeAll(async () => {
    await buildOnce();
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    port = await freePort();
    primary = spawnBuilt('dist/src/main.js', {
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: redis.url,
      WEB_CONCURRENCY: '2',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: 'false',
      WORKER_IN_PROCESS: 'false',
    });
    await eventually(
      () => (readyPids(primary).length === 2 ? true : undefined),
      `two API processes ready:\n${primary.output()}`,
      { intervalMs: 200 },
    );
  });
  afterAll(async () => {
    await killWorkers();
    await redis?.kill();
  });

  it('when requests reach both processes, then /metrics counts them all, whichever answers', async () => {
    const before = healthCount((await get(port, '/metrics')).body);
    for (let i = 0; i < 10; i++) expect((await get(port, '/healthz')).status).toBe(200);
    const after = healthCount((await get(port, '/metrics')).body);
    expect(after - before).toBe(10);
  });

  it('when an API process dies, then the primary starts another and the API keeps answering', async () => {
    const [victim] = readyPids(primary);
    process.kill(victim!, 'SIGKILL');
    await eventually(
      () => (readyPids(primary).length === 3 ? true : undefined),
      'a third API process ready',
      { intervalMs: 200 },
    );
    expect(primary.output()).toContain('an API process died; starting another');
    expect((await get(port, '/healthz')).status).toBe(200);
  });

  it('when the primary gets SIGTERM, then every process drains and it exits 0', async () => {
    const workers = readyPids(primary).slice(1);
    primary.kill('SIGTERM');
    const exit = await exitWithin(primary, PATIENCE_MS);
    expect(exit).toMatchObject({ code: 0 });
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});
