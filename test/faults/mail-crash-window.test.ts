import type { Knex } from 'knex';
import { describeIf, services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { register } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  buildOnce,
  killWorkers,
  spawnWorker,
  workerEnv,
  type WorkerProcess,
} from '../helpers/worker-process';

// The worker is a process of its own (to be SIGKILLed) on the API's database: the embedded one is
// one process's.
const describeReal = describeIf(
  services.postgres,
  'needs PostgreSQL shared with worker processes (set DATABASE_URL)',
);

function tokenIn(mail: ReceivedMail): string {
  const match = /^ {2}([\w-]{43})$/m.exec(mail.text);
  if (!match?.[1]) throw new Error(`no token in the mail:\n${mail.text}`);
  return match[1];
}

describeReal('an e-mail job killed between the SMTP server’s 250 and its record', () => {
  let db: IsolatedDatabase;
  let sink: SmtpSink;
  let t: TestApp; // the API alone: the e-mail jobs run in spawned workers
  const knex = () => t.container.database.knex;

  beforeAll(async () => {
    await buildOnce();
    [db, sink] = await Promise.all([isolatedDatabase('mail_crash'), startSmtpSink()]);
    t = await startTestApp(db.env);
  });
  afterEach(() => killWorkers());
  afterAll(async () => {
    await killWorkers();
    await t?.close();
    await sink?.close();
    await db?.drop();
  });

  const worker = (env: Record<string, string> = {}) =>
    spawnWorker(workerEnv(db.env, { SMTP_URL: sink.url, ...env }));

  /**
   * Lets the next e-mail through the SMTP server (250) while its row is locked, so the worker's
   * record of it waits; once it does, SIGKILLs the worker and lets go of the row. Resolves with
   * the mail the server accepted.
   */
  async function killedAfterAcceptance(
    first: WorkerProcess,
    emailRow: (knex: Knex) => Knex.QueryBuilder,
  ): Promise<ReceivedMail> {
    let trx: Knex.Transaction | undefined;
    const accepted = new Promise<ReceivedMail>((resolve, reject) =>
      sink.beforeNextAccept(async (mail) => {
        try {
          trx = await knex().transaction();
          await emailRow(trx).forUpdate().first();
          resolve(mail);
        } catch (error) {
          reject(error as Error);
          throw error;
        }
      }),
    );
    const mail = await accepted;
    const recording = await eventually(async () => {
      if (first.exit) throw new Error(`the worker exited early:\n${first.output()}`);
      const waiting: Array<{ pid: number }> = await knex()('pg_stat_activity')
        .whereRaw('datname = current_database()')
        .where({ wait_event_type: 'Lock' })
        .whereILike('query', 'update "emails"%')
        .select('pid');
      return waiting.length > 0 ? waiting : undefined;
    }, 'the worker to record the accepted e-mail (and wait for the locked row)');
    first.kill('SIGKILL');
    await first.exited;
    // The server does not notice a dead client while its statement waits for a lock: end that
    // session as the crash would have, before the statement could run.
    for (const { pid } of recording) {
      await knex().raw('select pg_terminate_backend(?)', [pid]);
    }
    await trx?.rollback();
    return mail;
  }

  const sentRow = (where: Record<string, unknown>) =>
    eventually(
      async () =>
        (await knex()('emails').where(where).where({ status: 'sent' }).first()) ?? undefined,
      `the e-mail ${JSON.stringify(where)} to be recorded as sent`,
    );

  it('when the welcome job is retried by another worker, then the same message is sent again, with the same token and Message-ID, and the token works once', async () => {
    const user = await register(t.http);
    const first = worker();
    const delivered = await killedAfterAcceptance(first, (k) =>
      k('emails').where({ idempotency_key: `welcome:${user.id}` }),
    );
    expect(await knex()('emails').where({ user_id: user.id }).first()).toMatchObject({
      status: 'queued',
      sent_at: null,
    });

    worker();
    const row = await sentRow({ user_id: user.id, kind: 'welcome' });

    const copies = sink.mailsTo(user.email);
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect(copy.messageId).toBe(delivered.messageId);
      expect(tokenIn(copy)).toBe(tokenIn(delivered));
    }
    expect(row.message_id).toBe(delivered.messageId);
    expect(await knex()('user_tokens').where({ user_id: user.id })).toHaveLength(1);
    const token = tokenIn(delivered);
    await t.http.post('/api/v1/auth/verify-email').send({ token }).expect(204);
    await t.http.post('/api/v1/auth/verify-email').send({ token }).expect(400);
  });

  it('when the password-reset job is retried by another worker, then the same message is sent again, and its token resets the password once', async () => {
    const user = await register(t.http);
    // Only the reset e-mail matters here: its welcome e-mail is never sent.
    await knex()('agenda_jobs')
      .where({ name: 'send-welcome-email' })
      .whereRaw("data->>'userId' = ?", [String(user.id)])
      .del();
    await t.http.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);
    const first = worker();
    const delivered = await killedAfterAcceptance(first, (k) =>
      k('emails').where({ user_id: user.id, kind: 'password-reset' }),
    );

    worker();
    await sentRow({ user_id: user.id, kind: 'password-reset' });

    const copies = sink.mailsTo(user.email);
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect(copy.messageId).toBe(delivered.messageId);
      expect(tokenIn(copy)).toBe(tokenIn(delivered));
    }
    const token = tokenIn(delivered);
    const confirm = { token, new_password: 'another long passphrase' };
    await t.http.post('/api/v1/auth/password-reset/confirm').send(confirm).expect(204);
    await t.http.post('/api/v1/auth/password-reset/confirm').send(confirm).expect(400);
  });

  it('when JWT_SECRET was rotated before the retry (the old one in JWT_PREVIOUS_SECRETS), then the retry still sends the same token', async () => {
    const before = { JWT_SECRET: 'the-secret-before-the-rotation-0123456789' };
    const after = {
      JWT_SECRET: 'the-secret-after-the-rotation-9876543210',
      JWT_PREVIOUS_SECRETS: before.JWT_SECRET,
    };
    const user = await register(t.http);
    const delivered = await killedAfterAcceptance(worker(before), (k) =>
      k('emails').where({ idempotency_key: `welcome:${user.id}` }),
    );

    worker(after);
    await sentRow({ user_id: user.id, kind: 'welcome' });

    const copies = sink.mailsTo(user.email);
    expect(copies.map((copy) => [copy.messageId, tokenIn(copy)])).toEqual([
      [delivered.messageId, tokenIn(delivered)],
      [delivered.messageId, tokenIn(delivered)],
    ]);
    await t.http
      .post('/api/v1/auth/verify-email')
      .send({ token: tokenIn(delivered) })
      .expect(204);
  });
});
