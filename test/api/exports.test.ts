import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { insertPosts } from '../helpers/bulk-posts';
import { eventually } from '../helpers/eventually';
import { signUp, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { expectInvalid, expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const EXPORT = '/api/v1/users/me/export';
const jobPath = (id: number | string) => `/api/v1/jobs/${id}`;
const resultPath = (id: number | string) => `/api/v1/jobs/${id}/result`;

interface Job {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  finished_at: string | null;
  error: string | null;
}

describe('data export jobs', () => {
  let db: IsolatedDatabase;
  let outbox: string;
  let t: TestApp;
  const knex = () => t.container.database.knex;

  beforeAll(async () => {
    db = await isolatedDatabase('exports');
    outbox = mkdtempSync(path.join(tmpdir(), 'inkwell-outbox-'));
    t = await startTestApp({
      ...db.env,
      OUTBOX_DIR: outbox,
      EXPORT_BATCH_SIZE: '20',
      JOB_POLL_INTERVAL_MS: '100',
      JOB_LOCK_LIFETIME_MS: '2000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    rmSync(outbox, { recursive: true, force: true });
  });

  const startExport = async (account: Account): Promise<Job> =>
    (await t.http.post(EXPORT).set(account.auth).expect(202)).body;
  const getJob = async (account: Account, id: number): Promise<Job> =>
    (await t.http.get(jobPath(id)).set(account.auth).expect(200)).body;

  /** Polls getJob until the job is over, returning every answer seen. */
  async function watch(account: Account, id: number, onSample?: (job: Job) => Promise<void>) {
    const samples: Job[] = [];
    await eventually(
      async () => {
        const job = await getJob(account, id);
        samples.push(job);
        await onSample?.(job);
        return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
      },
      `export job ${id} to finish`,
      { intervalMs: 2 },
    );
    return samples;
  }

  describe('before a worker runs them', () => {
    it('when an export is asked for, then returns 202 with Location and a queued Job, and its result is 409', async () => {
      const account = await signUp(t.http);
      const res = await t.http.post(EXPORT).set(account.auth).expect(202);

      expect(res.body).toEqual({
        id: expect.any(Number),
        type: 'export',
        status: 'queued',
        progress: 0,
        created_at: expect.any(String),
        finished_at: null,
        error: null,
      });
      expect(res.headers.location).toBe(jobPath(res.body.id));
      const job = await t.http.get(jobPath(res.body.id)).set(account.auth).expect(200);
      expect(job.body).toEqual(res.body);
      expect(job.headers['cache-control']).toBe('no-store');

      const result = await t.http.get(resultPath(res.body.id)).set(account.auth);
      expectProblem(result, 409, 'job-not-finished');
      expect(result.body.detail).toMatch(/queued/);
    });

    it('when an export is asked for while one is queued, then returns 409 export-pending naming that job', async () => {
      const account = await signUp(t.http);
      const first = await startExport(account);

      const res = await t.http.post(EXPORT).set(account.auth);
      expectProblem(res, 409, 'export-pending');
      expect(res.body.detail).toContain(`job ${first.id} is still queued`);
      expect(await knex()('jobs').where({ user_id: account.id })).toHaveLength(1);
    });

    it('when another user asks for a job or its result, then both are 404 as if it did not exist', async () => {
      const owner = await signUp(t.http);
      const other = await signUp(t.http);
      const job = await startExport(owner);

      expectProblem(await t.http.get(jobPath(job.id)).set(other.auth), 404, 'not-found');
      expectProblem(await t.http.get(resultPath(job.id)).set(other.auth), 404, 'not-found');
      const missing = Number.MAX_SAFE_INTEGER;
      expectProblem(await t.http.get(jobPath(missing)).set(other.auth), 404, 'not-found');
      expectProblem(await t.http.get(resultPath(missing)).set(other.auth), 404, 'not-found');
    });

    it.each(['abc', '0', '-1', '1.5', '9007199254740992'])(
      'when the job id is %s, then getJob and getJobResult return 400 with a pointer to it',
      async (id) => {
        const account = await signUp(t.http);
        expectInvalid(await t.http.get(jobPath(id)).set(account.auth), 'path', '/job_id');
        expectInvalid(await t.http.get(resultPath(id)).set(account.auth), 'path', '/job_id');
      },
    );

    it('when no access token is sent, then each job endpoint returns 401 and nothing is queued', async () => {
      const before = await knex()('jobs').count<{ count: string }[]>('* as count');
      expectProblem(await t.http.post(EXPORT), 401, 'unauthorized');
      expectProblem(await t.http.get(jobPath(1)), 401, 'unauthorized');
      expectProblem(await t.http.get(resultPath(1)), 401, 'unauthorized');
      expect(await knex()('jobs').count('* as count')).toEqual(before);
    });
  });

  describe('run by a worker', () => {
    beforeAll(() => t.startWorker());

    it('when the worker runs a large export, then getJob shows it running, progress climbing through intermediate values to 100, and the result is 409 until it succeeded', async () => {
      const account = await signUp(t.http);
      await insertPosts(t.container.database, account.id, 3_000);
      const started = await startExport(account);
      let whileRunning: number | undefined;

      const samples = await watch(account, started.id, async (job) => {
        if (whileRunning === undefined && job.status === 'running' && job.progress < 50) {
          whileRunning = (await t.http.get(resultPath(job.id)).set(account.auth)).status;
        }
      });

      const statuses = [started, ...samples].map((job) => job.status);
      expect([...new Set(statuses)]).toEqual(['queued', 'running', 'succeeded']);
      expect(whileRunning).toBe(409);
      const progress = samples.map((job) => job.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      const intermediate = new Set(progress.filter((value) => value > 0 && value < 100));
      expect(intermediate.size).toBeGreaterThanOrEqual(3);
      expect(samples.at(-1)).toMatchObject({
        status: 'succeeded',
        progress: 100,
        finished_at: expect.any(String),
        error: null,
      });
    });

    it('when the export has succeeded, then the result is the user and every post exactly once, in id order', async () => {
      const account = await signUp(t.http, { name: 'Ada Exporter' });
      const ids = await insertPosts(t.container.database, account.id, 257); // not a multiple of the batch size
      const job = await startExport(account);
      await watch(account, job.id);

      const res = await t.http.get(resultPath(job.id)).set(account.auth).expect(200);

      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toEqual(expect.any(String));
      expect(res.body.user).toMatchObject({
        id: account.id,
        email: account.email,
        name: 'Ada Exporter',
      });
      expect(Date.parse(res.body.exported_at)).toBeLessThanOrEqual(Date.now());
      const posts = res.body.posts as Array<{ id: number; author_id: number; title: string }>;
      expect(posts.map((post) => post.id)).toEqual(ids);
      expect(posts.every((post) => post.author_id === account.id)).toBe(true);
      const sample = await t.http.get(`/api/v1/posts/${ids[100]}`).set(account.auth).expect(200);
      expect(posts[100]).toEqual(sample.body);
    });

    it('when the user has no posts, then the export succeeds with an empty list of posts', async () => {
      const account = await signUp(t.http);
      const job = await startExport(account);
      const samples = await watch(account, job.id);
      expect(samples.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });

      const res = await t.http.get(resultPath(job.id)).set(account.auth).expect(200);
      expect(res.body).toMatchObject({ user: { id: account.id }, posts: [] });
    });

    it('when the previous export has finished, then another one may be started and sees new posts', async () => {
      const account = await signUp(t.http);
      await insertPosts(t.container.database, account.id, 5);
      const first = await startExport(account);
      await watch(account, first.id);
      await insertPosts(t.container.database, account.id, 5);

      const second = await startExport(account);
      expect(second.id).not.toBe(first.id);
      await watch(account, second.id);
      const old = await t.http.get(resultPath(first.id)).set(account.auth).expect(200);
      const fresh = await t.http.get(resultPath(second.id)).set(account.auth).expect(200);
      expect(old.body.posts).toHaveLength(5);
      expect(fresh.body.posts).toHaveLength(10);
    });
  });
});
