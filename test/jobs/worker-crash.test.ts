import { describeIf, services } from '../helpers/describe-if';
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

interface Job {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  finished_at: string | null;
}

const LOCK_LIFETIME_MS = 3_000;
const POSTS = 20_000;

// Worker processes share the database, so this needs PostgreSQL: the embedded one is one process's.
const describeReal = describeIf(
  services.postgres,
  'needs PostgreSQL shared with worker processes (set DATABASE_URL)',
);

describeReal('export jobs in real worker processes', () => {
  let db: IsolatedDatabase;
  let t: TestApp; // the API alone: every job here runs in a spawned worker
  const knex = () => t.container.database.knex;

  beforeAll(async () => {
    await buildOnce();
    db = await isolatedDatabase('worker_crash');
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await killWorkers();
    await t?.close();
    await db?.drop();
  });

  const getJob = async (account: Account, id: number): Promise<Job> =>
    (await t.http.get(`/api/v1/jobs/${id}`).set(account.auth).expect(200)).body;

  /** A user with POSTS posts (~500 B each) and an export of them, queued. */
  async function queuedExport() {
    const account = await signUp(t.http);
    const ids = await insertPosts(t.container.database, account.id, POSTS, 500);
    const job: Job = (await t.http.post('/api/v1/users/me/export').set(account.auth).expect(202))
      .body;
    return { account, ids, job };
  }

  /** Waits until the worker has written some but not all of the export. */
  const midway = (account: Account, id: number, worker: WorkerProcess) =>
    eventually(
      async () => {
        if (worker.exit) throw new Error(`the worker exited early:\n${worker.output()}`);
        const job = await getJob(account, id);
        return job.status === 'running' && job.progress > 0 && job.progress < 100 ? job : undefined;
      },
      `export ${id} to be under way`,
      { intervalMs: 5 },
    );

  const finished = (account: Account, id: number) =>
    eventually(
      async () => {
        const job = await getJob(account, id);
        return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
      },
      `export ${id} to finish`,
      { intervalMs: 50 },
    );

  const agendaJobOf = (jobId: number) =>
    knex()('agenda_jobs')
      .where({ name: 'export-user-data' })
      .whereRaw("(data->>'jobId')::bigint = ?", [jobId])
      .first();

  it('when the worker running an export is killed, then another worker finishes it after the lock expires, with every post exactly once', async () => {
    const { account, ids, job } = await queuedExport();
    const first = spawnWorker(workerEnv(db.env));
    await midway(account, job.id, first);

    first.kill('SIGKILL');
    await first.exited;
    const killedAt = await getJob(account, job.id);
    expect(killedAt).toMatchObject({ status: 'running', finished_at: null });
    expect(killedAt.progress).toBeLessThan(100);
    const { locked_at: lastTouch } = await agendaJobOf(job.id);

    const second = spawnWorker(workerEnv(db.env));
    const done = await finished(account, job.id);

    expect(done).toMatchObject({ status: 'succeeded', progress: 100 });
    // Taken over only once the dead worker's lock had expired, and by the second worker.
    expect(Date.parse(done.finished_at ?? '')).toBeGreaterThanOrEqual(
      new Date(lastTouch).getTime() + LOCK_LIFETIME_MS,
    );
    expect((await agendaJobOf(job.id)).last_modified_by).toMatch(new RegExp(`-${second.pid}$`));
    const res = await t.http.get(`/api/v1/jobs/${job.id}/result`).set(account.auth).expect(200);
    expect(res.body.posts.map((post: { id: number }) => post.id)).toEqual(ids);
    second.kill('SIGTERM');
    expect(await exitWithin(second, PATIENCE_MS)).toMatchObject({ code: 0 });
  });

  it('when a worker gets SIGTERM in the middle of an export, then it finishes the export before it exits, and exits promptly', async () => {
    const { account, ids, job } = await queuedExport();
    // A lock lifetime far longer than the test waits for the exit: exiting within that wait shows
    // the worker did not sit out its lock.
    // A grace period the export fits in even on a busy machine: what is checked is that the worker
    // uses it to finish the job, not how fast the job is.
    const worker = spawnWorker(
      workerEnv(db.env, { JOB_LOCK_LIFETIME_MS: '600000', SHUTDOWN_TIMEOUT_MS: '100000' }),
    );
    await midway(account, job.id, worker);

    const sentAt = Date.now();
    worker.kill('SIGTERM');
    const exit = await exitWithin(worker, PATIENCE_MS);

    expect(exit).toMatchObject({ code: 0, signal: null });
    const done = await getJob(account, job.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: 100 });
    const finishedAt = Date.parse(done.finished_at ?? '');
    expect(finishedAt).toBeGreaterThan(sentAt); // it was still running when SIGTERM came
    expect(worker.output()).not.toMatch(/still running at shutdown|timed out/);
    const chunks = await knex()('export_chunks')
      .where({ job_id: job.id })
      .sum<{ posts: string }[]>('count as posts');
    expect(Number(chunks[0]?.posts)).toBe(ids.length);
  });
});
