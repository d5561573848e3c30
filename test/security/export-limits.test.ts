import type { Response } from 'supertest';
import { insertPosts } from '../helpers/bulk-posts';
import { eventually } from '../helpers/eventually';
import { signUp, type Account } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { expectProblem } from '../helpers/problems';
import { startTestApp, type TestApp } from '../helpers/test-app';

const EXPORT = '/api/v1/users/me/export';
const jobPath = (id: number) => `/api/v1/jobs/${id}`;
const resultPath = (id: number) => `/api/v1/jobs/${id}/result`;
const DAY = 86_400;

/**
 * Export limits (issue 9, finding 7: export storage amplification): one pending export per user,
 * decided under a lock so that parallel requests cannot both pass; a quota per 24 hours; finished
 * exports deleted with their chunks once their time is up.
 */
describe('export limits', () => {
  describe('one pending export and a daily quota of 2 (no worker: exports stay queued)', () => {
    let db: IsolatedDatabase;
    let t: TestApp;
    const knex = () => t.container.database.knex;

    beforeAll(async () => {
      db = await isolatedDatabase('export_limits');
      t = await startTestApp({ ...db.env, EXPORT_DAILY_QUOTA: '2' });
    });
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    const ask = (account: Account) => t.http.post(EXPORT).set(account.auth);
    /** Runs the queued export's body here, as a worker would, so that it is no longer pending. */
    const finish = (jobId: number) => t.container.services.exports.run(jobId, async () => {});
    const rowsOf = async (account: Account) => ({
      jobs: await knex()('jobs').where({ user_id: account.id }).pluck('id'),
      requests: (await knex()('export_requests').where({ user_id: account.id }).pluck('id')).length,
    });

    it.each([2, 8])(
      'when %i exports are asked for at once, then exactly one is accepted and every other is 409 export-pending naming it',
      async (parallel) => {
        const account = await signUp(t.http);

        const answers = await Promise.all(Array.from({ length: parallel }, () => ask(account)));

        const accepted = answers.filter((res) => res.status === 202);
        expect(accepted).toHaveLength(1);
        const job = accepted[0]!.body;
        for (const res of answers.filter((answer) => answer !== accepted[0])) {
          expectProblem(res, 409, 'export-pending');
          expect(res.body.detail).toContain(`job ${job.id} is still queued`);
        }
        expect(await rowsOf(account)).toEqual({ jobs: [job.id], requests: 1 });
      },
    );

    it('when the pending export has finished, then the next one is accepted', async () => {
      const account = await signUp(t.http);
      const first = (await ask(account).expect(202)).body;
      expectProblem(await ask(account), 409, 'export-pending');

      await finish(first.id);

      const second = (await ask(account).expect(202)).body;
      expect(second.id).not.toBe(first.id);
    });

    it('when the quota is used, then returns 429 with Retry-After until the oldest export is a day old, and nothing is queued', async () => {
      const account = await signUp(t.http);
      for (let i = 0; i < 2; i++) await finish((await ask(account).expect(202)).body.id);
      const before = await rowsOf(account);

      const refused = await ask(account);
      expectProblem(refused, 429, 'too-many-requests');
      expect(refused.body.detail).toMatch(/^At most 2 exports in 24 hours; .* in \d+ seconds\.$/);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(DAY);
      expect(await rowsOf(account)).toEqual(before);

      // The oldest export was asked for a minute short of a day ago: a minute to wait at most.
      const oldest = await knex()('export_requests')
        .where({ user_id: account.id })
        .orderBy('id')
        .first('id');
      const backdate = (seconds: number) =>
        knex()('export_requests')
          .where({ id: oldest.id })
          .update({ requested_at: knex().raw('now() - make_interval(secs => ?)', [seconds]) });
      await backdate(DAY - 60);
      const soon = await ask(account);
      expectProblem(soon, 429, 'too-many-requests');
      expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(soon.headers['retry-after'])).toBeLessThanOrEqual(60);

      // A day old: it no longer counts.
      await backdate(DAY + 1);
      await ask(account).expect(202);
    });

    it('when the sweep runs, then it deletes finished jobs older than the default 24 hours with their chunks, and keeps newer and unfinished ones', async () => {
      const account = await signUp(t.http);
      await insertPosts(t.container.database, account.id, 30);
      const old = (await ask(account).expect(202)).body.id as number;
      await finish(old);
      const recent = (await ask(account).expect(202)).body.id as number;
      await finish(recent);
      const other = await signUp(t.http);
      const queued = (await ask(other).expect(202)).body.id as number;
      await knex()('jobs')
        .where({ id: old })
        .update({ finished_at: knex().raw(`now() - interval '${DAY + 1} seconds'`) });
      const chunksOf = (id: number) => knex()('export_chunks').where({ job_id: id }).pluck('seq');
      expect(await chunksOf(old)).toEqual([1]);
      expect(await chunksOf(recent)).toEqual([1]);

      expectProblem(await t.http.get(jobPath(old)).set(account.auth), 404, 'not-found');
      await t.container.services.exports.deleteExpired();

      const left = await knex()('jobs').whereIn('id', [old, recent, queued]).pluck('id');
      expect(left.sort()).toEqual([recent, queued].sort());
      expect(await chunksOf(old)).toEqual([]);
      expect(await chunksOf(recent)).toEqual([1]);
      await t.http.get(resultPath(recent)).set(account.auth).expect(200);
    });
  });

  describe('results kept for 1 second (EXPORT_RESULT_TTL_SECONDS=1), quota 1', () => {
    let db: IsolatedDatabase;
    let t: TestApp;
    const knex = () => t.container.database.knex;

    beforeAll(async () => {
      db = await isolatedDatabase('export_expiry');
      t = await startTestApp({
        ...db.env,
        EXPORT_RESULT_TTL_SECONDS: '1',
        EXPORT_DAILY_QUOTA: '1',
        EXPORT_BATCH_SIZE: '10',
        JOB_POLL_INTERVAL_MS: '100',
        JOB_LOCK_LIFETIME_MS: '2000',
      });
    });
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    const statusOf = async (res: Promise<Response>) => (await res).status;

    it('when a finished export is older than its TTL, then it is 404 at once, a worker deletes it with its chunks, and it still counts against the quota', async () => {
      const account = await signUp(t.http);
      await insertPosts(t.container.database, account.id, 35);
      const job = (await t.http.post(EXPORT).set(account.auth).expect(202)).body;
      // The job body, run here: no worker (and so no sweep) yet.
      await t.container.services.exports.run(job.id, async () => {});
      expect(await knex()('jobs').where({ id: job.id }).first('status')).toEqual({
        status: 'succeeded',
      });
      const chunks = () => knex()('export_chunks').where({ job_id: job.id }).pluck('seq');
      expect(await chunks()).toEqual([1, 2, 3, 4]);

      // Expired: gone for the API even before anything deleted it.
      await eventually(
        async () =>
          (await statusOf(t.http.get(resultPath(job.id)).set(account.auth))) === 404 || undefined,
        'the result to expire',
      );
      expectProblem(await t.http.get(resultPath(job.id)).set(account.auth), 404, 'not-found');
      expectProblem(await t.http.get(jobPath(job.id)).set(account.auth), 404, 'not-found');
      expect(await knex()('jobs').where({ id: job.id })).toHaveLength(1);

      // A worker schedules the sweep, which deletes the job and, with it, its chunks.
      await t.startWorker();
      await eventually(
        async () => ((await knex()('jobs').where({ id: job.id })).length === 0 ? true : undefined),
        'the expired job to be deleted',
      );
      expect(await chunks()).toEqual([]);
      expect(
        await knex()('agenda_jobs').where({ name: 'delete-expired-exports' }).pluck('type'),
      ).toEqual(['single']);

      // Deleting the result gives no export back: the quota counts what was asked for.
      const again = await t.http.post(EXPORT).set(account.auth);
      expectProblem(again, 429, 'too-many-requests');
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});
