import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { spawnApi, type ApiProcess } from '../helpers/api-process';
import { describeIf } from '../helpers/describe-if';
import { eventually, sleep } from '../helpers/eventually';
import { signUp, type Account } from '../helpers/factories';
import { hasPostgresServer, OwnPostgres } from '../helpers/own-postgres';
import { POSTS } from '../helpers/posts';
import { freePort } from '../helpers/redis-server';
import { buildOnce, killWorkers, spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/** How long PostgreSQL stays down during the restart. */
const DOWN_MS = 2_000;

interface Tally {
  statuses: Record<number, number>;
  socketErrors: number;
}

/**
 * Requests one after another until stopped: a cached read (the session and the user are in the
 * process's cache) and a write (needs PostgreSQL), counting what came back.
 */
function keepSending(api: ApiProcess, account: Account) {
  const tally: Tally = { statuses: {}, socketErrors: 0 };
  let running = true;
  let lastWriteOkAt = 0;
  const loop = (async () => {
    while (running) {
      for (const call of [
        () => api.http.get(`/api/v1/users/${account.id}`).set(account.auth),
        () => api.http.post(POSTS).set(account.auth).send({ title: 'Under load', body: 'Words.' }),
      ]) {
        try {
          const res = await call();
          tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
          if (res.status === 201) lastWriteOkAt = Date.now();
        } catch {
          tally.socketErrors++;
        }
      }
      await sleep(20);
    }
  })();
  return {
    tally,
    lastWriteOkAt: () => lastWriteOkAt,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describeIf(
  hasPostgresServer(),
  'needs the PostgreSQL server programs (pg_config --bindir: initdb, pg_ctl) to run a cluster of its own',
)('PostgreSQL restarted under load (a cluster of the test own)', () => {
  let postgres: OwnPostgres;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let db: Knex;
  const outbox = mkdtempSync(path.join(tmpdir(), 'inkwell-restart-outbox-'));

  beforeAll(async () => {
    await buildOnce();
    postgres = new OwnPostgres(await freePort());
    await postgres.init();
    await postgres.start();
    const env = {
      DATABASE_URL: postgres.url,
      OUTBOX_DIR: outbox,
      JOB_POLL_INTERVAL_MS: '200',
      JOB_LOCK_LIFETIME_MS: '3000',
    };
    // The default: the job worker inside the API process (its LISTEN channel is the one that used
    // to end the process), and a separate worker process as well.
    api = await spawnApi({ ...env, MIGRATE_ON_START: 'true', WORKER_IN_PROCESS: 'true' });
    worker = spawnWorker({ ...env, LOG_LEVEL: 'info' });
    await eventually(
      () => (/worker is running/.test(worker.output()) ? true : undefined),
      'the worker to start',
    );
    db = knex({ client: 'pg', connection: postgres.url, pool: { min: 0, max: 1 } });
  });

  afterAll(async () => {
    await db?.destroy();
    await killWorkers();
    await postgres?.destroy();
  });

  it('when PostgreSQL restarts, then the API and the worker live on, outage answers are 503 (never 500 or 401), and both serve again by themselves', async () => {
    const account = await signUp(api.http);
    await api.http.get(`/api/v1/users/${account.id}`).set(account.auth).expect(200);
    const load = keepSending(api, account);
    await eventually(() => (load.lastWriteOkAt() > 0 ? true : undefined), 'writes under load');

    await postgres.stop();
    await sleep(DOWN_MS);
    await postgres.start();
    const acceptingAt = Date.now();
    await eventually(
      () => (load.lastWriteOkAt() > acceptingAt ? true : undefined),
      'a write to succeed after the restart',
    );
    const servingAfterMs = load.lastWriteOkAt() - acceptingAt;
    await sleep(500);
    await load.stop();

    console.log(
      `PostgreSQL restart: answers ${JSON.stringify(load.tally.statuses)}, ` +
        `${load.tally.socketErrors} socket errors, writes served again ${servingAfterMs} ms ` +
        'after PostgreSQL accepted connections',
    );
    expect(api.process.exit).toBeUndefined();
    expect(worker.exit).toBeUndefined();
    expect(load.tally.socketErrors).toBe(0);
    // No acknowledged write lost: every 201 is a row (a 503 may or may not have written one).
    const rows = await db('posts').where({ author_id: account.id }).count({ count: '*' }).first();
    expect(Number(rows?.count)).toBeGreaterThanOrEqual(load.tally.statuses[201] ?? 0);
    expect(Object.keys(load.tally.statuses).sort()).toEqual(expect.arrayContaining(['200', '201']));
    for (const status of Object.keys(load.tally.statuses)) {
      expect(['200', '201', '503']).toContain(status);
    }

    // The job runtime works again too: a sign-up's welcome e-mail is sent.
    const newcomer = await signUp(api.http);
    await eventually(async () => {
      const row = await db('emails').where({ user_id: newcomer.id, kind: 'welcome' }).first();
      return row?.status === 'sent' ? true : undefined;
    }, 'the welcome e-mail of a user who signed up after the restart');
    expect(api.process.exit).toBeUndefined();
    expect(worker.exit).toBeUndefined();
  });
});
