import { describeIf, services } from '../helpers/describe-if';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { insertPosts } from '../helpers/bulk-posts';
import { eventually, PATIENCE_MS } from '../helpers/eventually';
import { signUp, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  buildOnce,
  exitWithin,
  killWorkers,
  spawnWorker,
  workerEnv,
  type WorkerProcess,
} from '../helpers/worker-process';

const POSTS = 100_000;
const BODY_LENGTH = 1_000;
const HEAP_LIMIT_MB = 96;

interface Streamed {
  status: number;
  bytes: number;
  ids: number[];
  peakHeapMiB: number;
}

/**
 * Reads the export document as it streams, keeping only each post's id: the document is ~115 MB,
 * the test never holds it. Ids are taken from `{"id":N,"author_id":` (the user has no author_id).
 */
function streamPostIds(url: string, authorization: string): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { authorization } }, (res) => {
      const ids: number[] = [];
      let bytes = 0;
      let tail = '';
      let peakHeapMiB = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        const text = tail + chunk;
        const pattern = /\{"id":(\d+),"author_id":/g;
        let end = 0;
        for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
          ids.push(Number(match[1]));
          end = pattern.lastIndex;
        }
        tail = text.slice(Math.max(end, text.length - 64));
        peakHeapMiB = Math.max(peakHeapMiB, process.memoryUsage().heapUsed / 2 ** 20);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ids, peakHeapMiB }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const describeReal = describeIf(
  services.postgres,
  'needs PostgreSQL shared with a worker process (set DATABASE_URL)',
);

describeReal('the export of a large user', () => {
  let db: IsolatedDatabase;
  let t: TestApp;
  let server: Server;

  beforeAll(async () => {
    await buildOnce();
    db = await isolatedDatabase('export_memory');
    t = await startTestApp(db.env);
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(async () => {
    await killWorkers();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
    await db?.drop();
  });

  /** Starts an export and waits for its end, watching the worker's peak RSS meanwhile. */
  async function exportWith(worker: WorkerProcess, account: Account) {
    const started = await t.http.post('/api/v1/users/me/export').set(account.auth).expect(202);
    const job = await eventually(
      async () => {
        if (worker.exit) {
          throw new Error(`the worker died: ${JSON.stringify(worker.exit)}\n${worker.output()}`);
        }
        const res = await t.http.get(`/api/v1/jobs/${started.body.id}`).set(account.auth);
        return ['succeeded', 'failed'].includes(res.body.status) ? res.body : undefined;
      },
      'the export to finish',
      { intervalMs: 100 },
    );
    return { job, peakRssMiB: worker.peakRssMiB() ?? NaN };
  }

  it(`when a user with ${POSTS} posts of 1 KB is exported, then a worker with a ${HEAP_LIMIT_MB} MB heap succeeds, its memory growing by less than the document's size over 1,000 posts, and the document streams with every post once`, async () => {
    const small = await signUp(t.http);
    const large = await signUp(t.http);
    await insertPosts(t.container.database, small.id, 1_000, BODY_LENGTH);
    const ids = await insertPosts(t.container.database, large.id, POSTS, BODY_LENGTH);
    // A worker that held the ~110 MB document, or a large part of it, would run out of heap.
    const worker = spawnWorker(workerEnv(db.env, { EXPORT_BATCH_SIZE: '1000' }), [
      `--max-old-space-size=${HEAP_LIMIT_MB}`,
    ]);

    const warmUp = await exportWith(worker, small);
    const measured = await exportWith(worker, large);
    worker.kill('SIGTERM');
    expect(await exitWithin(worker, PATIENCE_MS)).toMatchObject({ code: 0 });

    expect(warmUp.job).toMatchObject({ status: 'succeeded' });
    expect(measured.job).toMatchObject({ status: 'succeeded', progress: 100 });
    const { port } = server.address() as AddressInfo;
    const heapBefore = process.memoryUsage().heapUsed / 2 ** 20;
    const streamed = await streamPostIds(
      `http://127.0.0.1:${port}/api/v1/jobs/${measured.job.id}/result`,
      large.auth.Authorization,
    );
    const growth = measured.peakRssMiB - warmUp.peakRssMiB;
    console.log(
      `export of ${POSTS} posts: document ${(streamed.bytes / 2 ** 20).toFixed(1)} MiB; worker ` +
        `(heap limit ${HEAP_LIMIT_MB} MB) peak RSS ${warmUp.peakRssMiB.toFixed(1)} MiB after 1,000 ` +
        `posts, ${measured.peakRssMiB.toFixed(1)} MiB after ${POSTS} (+${growth.toFixed(1)} MiB); ` +
        `test process heap ${heapBefore.toFixed(0)} MiB before streaming, ` +
        `at most ${streamed.peakHeapMiB.toFixed(0)} MiB while streaming (garbage included)`,
    );
    expect(streamed.status).toBe(200);
    expect(streamed.bytes).toBeGreaterThan(POSTS * BODY_LENGTH);
    expect(streamed.ids).toHaveLength(ids.length);
    expect(streamed.ids).toEqual(ids);
    // 100 times the posts, and the worker's peak grew by less than the document it wrote: it never
    // held it (it grows somewhat anyway, as V8 lets its heap grow up to the limit before collecting).
    expect(growth).toBeLessThan(streamed.bytes / 2 ** 20);
  });
});
