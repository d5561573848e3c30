import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeIf } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { signUp } from '../helpers/factories';
import { contractClient } from '../helpers/http-client';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { OtlpReceiver, SPAN_KIND_SERVER, type ReceivedSpan } from '../helpers/otlp-receiver';
import { freePort, hasRedisServer, OwnRedisServer } from '../helpers/redis-server';
import { buildOnce, killWorkers, spawnBuilt, type WorkerProcess } from '../helpers/worker-process';

const describeWithRedis = describeIf(
  hasRedisServer(),
  'needs a redis-server binary on PATH: the trace must show Redis spans',
);

const isPostgres = (span: ReceivedSpan) =>
  span.attributes['db.system'] === 'postgresql' ||
  span.attributes['db.system.name'] === 'postgresql';
const isRedis = (span: ReceivedSpan) =>
  span.attributes['db.system'] === 'redis' || span.attributes['db.system.name'] === 'redis';

/** The access line of one request, from the JSON lines a process wrote. */
function accessLine(output: string, requestId: string) {
  for (const text of output.split('\n')) {
    if (!text.includes(requestId)) continue;
    const line = JSON.parse(text) as { msg?: string; requestId?: string; traceId?: string };
    if (line.msg === 'request completed' && line.requestId === requestId) return line;
  }
  return undefined;
}

describeWithRedis('tracing, with OTEL_EXPORTER_OTLP_ENDPOINT set (npm start as built)', () => {
  let receiver: OtlpReceiver;
  let redis: OwnRedisServer;
  let database: IsolatedDatabase;
  let dataDir: string;
  let api: WorkerProcess;
  let port: number;

  beforeAll(async () => {
    await buildOnce();
    receiver = await OtlpReceiver.start();
    redis = new OwnRedisServer(await freePort());
    await redis.start();
    // Real PostgreSQL when DATABASE_URL is set (a database of this file's own), else embedded.
    database = await isolatedDatabase('tracing');
    dataDir = mkdtempSync(path.join(tmpdir(), 'inkwell-tracing-'));
    port = await freePort();
    api = spawnBuilt('dist/src/main.js', {
      ...database.env,
      DATA_DIR: path.join(dataDir, 'pglite'),
      OUTBOX_DIR: path.join(dataDir, 'outbox'),
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      WORKER_IN_PROCESS: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    await eventually(
      () => (api.output().includes('inkwell is listening') ? true : undefined),
      `the traced API to listen:\n${api.output()}`,
      { intervalMs: 100 },
    );
  });
  afterAll(async () => {
    await killWorkers();
    await receiver?.close();
    await redis?.kill();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The trace of one request: its id in the access line, then its spans as received. */
  async function traceOf(requestId: string, complete: (spans: ReceivedSpan[]) => boolean) {
    const line = await eventually(
      () => accessLine(api.output(), requestId),
      `the access line of request ${requestId}:\n${api.output()}`,
    );
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await eventually(() => {
      const received = receiver.spans.filter((span) => span.traceId === line.traceId);
      // Children end first; once the server span is here, the spans before it are too.
      const server = received.some((span) => span.kind === SPAN_KIND_SERVER);
      return server && complete(received) ? received : undefined;
    }, `the spans of trace ${line.traceId}`);
    const servers = spans.filter((span) => span.kind === SPAN_KIND_SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0]!;
    return { server, children: spans.filter((span) => span.parentSpanId === server.spanId) };
  }

  it('when a user is read, then one trace holds the getUser server span with PostgreSQL and Redis spans as its children, and the access line carries its trace id', async () => {
    const http = contractClient(`http://127.0.0.1:${port}`);
    const author = await signUp(http);
    const reader = await signUp(http);
    const read = () => http.get(`/api/v1/users/${author.id}`).set(reader.auth).expect(200);

    // Uncached: the session check and the cache read go to Redis, the user to PostgreSQL.
    const first = String((await read()).headers['x-request-id']);
    const uncached = await traceOf(
      first,
      (spans) => spans.some(isPostgres) && spans.some(isRedis) && spans.length >= 3,
    );
    expect(uncached.server).toMatchObject({
      name: 'getUser',
      serviceName: 'inkwell',
      attributes: expect.objectContaining({
        'inkwell.request_id': first,
        'http.route': '/api/v1/users/{user_id}',
        'http.response.status_code': 200,
      }),
    });
    expect(uncached.children.filter(isPostgres).length).toBeGreaterThan(0);
    expect(uncached.children.filter(isRedis).length).toBeGreaterThan(0);
    // Statements without parameters; Redis command names without keys or values.
    for (const span of uncached.children.filter(isRedis)) {
      expect(String(span.attributes['db.statement'])).toMatch(/^[a-z]+$/);
    }

    // Cached: the same read is answered from Redis; its trace shows that.
    const second = String((await read()).headers['x-request-id']);
    const cached = await traceOf(second, (spans) => spans.some(isRedis));
    expect(cached.server).toMatchObject({ name: 'getUser' });
    expect(cached.children.filter(isRedis).length).toBeGreaterThan(0);
    expect(
      cached.children.some((span) => /from "users"/.test(String(span.attributes['db.statement']))),
    ).toBe(false);
  });
});
