import pino from 'pino';
import { DeadLetters } from '../../src/platform/tasks/dead-letters';
import { eventually, sleep } from '../helpers/eventually';
import { register, uniqueEmail } from '../helpers/factories';
import type { IsolatedDatabase } from '../helpers/isolated-database';
import type { SmtpSink } from '../helpers/smtp-sink';
import { startSmtpTestApp, stopSmtpTestApp } from '../helpers/smtp-test-app';
import type { TestApp } from '../helpers/test-app';

// Large enough that the second delay's minimum (0.8 · 2 · base) clearly exceeds the first's
// maximum (1.2 · base), whatever the scheduling latency on a loaded machine.
const BACKOFF_BASE_MS = 750;
const POLL_INTERVAL_MS = 100;
const JITTER = 0.2;

interface RetryScheduled {
  job: string;
  attempt: number;
  retryInMs: number;
}

/** A logger that keeps what the job runtime says when it schedules a retry. */
function retryRecorder() {
  const scheduled: RetryScheduled[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as RetryScheduled & { msg: string };
        if (entry.msg === 'job failed; retrying') scheduled.push(entry);
      },
    },
  );
  return { logger, scheduled };
}

describe('e-mail jobs against a failing SMTP server', () => {
  let db: IsolatedDatabase;
  let sink: SmtpSink;
  let t: TestApp;
  const knex = () => t.container.database.knex;
  const retries = retryRecorder();

  beforeAll(async () => {
    const env = {
      JOB_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      JOB_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
      JOB_MAX_ATTEMPTS: '3',
    };
    ({ db, sink, t } = await startSmtpTestApp('email_retries', env, { logger: retries.logger }));
  });
  afterAll(() => stopSmtpTestApp({ db, sink, t }));

  /**
   * A job that ran out of attempts, once all of it has settled: its dead_jobs row, its e-mail
   * marked dead (by the onExhausted hook) and Agenda's row saved unlocked.
   */
  const buried = (name: string, key: string, value: string | number, userId: number) =>
    eventually(async () => {
      const dead = await knex()('dead_jobs')
        .where({ name })
        .whereRaw(`data->>'${key}' = ?`, [String(value)])
        .first();
      if (!dead) return undefined;
      const kind = name === 'send-welcome-email' ? 'welcome' : 'password-reset';
      const email = await knex()('emails').where({ user_id: userId, kind }).first();
      const agendaJob = await knex()('agenda_jobs').where({ id: dead.agenda_job_id }).first();
      const settled = email?.status === 'dead' && agendaJob?.locked_at === null;
      return settled ? { dead, email, agendaJob } : undefined;
    }, `${name} for ${value} to be recorded as dead, with its e-mail`);

  it('when the server answers 451, then the welcome e-mail is tried 3 times with growing delays, then recorded as dead', async () => {
    const email = uniqueEmail('greylisted');
    sink.reject(451, email);
    retries.scheduled.length = 0;
    const user = await register(t.http, { email });

    const attempts = await sink.waitForAttempts(email, 3);
    const {
      dead,
      email: row,
      agendaJob,
    } = await buried('send-welcome-email', 'userId', user.id, user.id);

    expect(attempts.map((attempt) => attempt.responseCode)).toEqual([451, 451, 451]);
    // The delays the runtime chose (not gaps measured on a busy machine): retry n waits
    // base · 2^(n-1) ± 20 %, so each is longer than the one before.
    // Agenda also re-emits a retry announced on its notification channel, with a delay of 0:
    // count the retries this worker scheduled.
    const scheduled = retries.scheduled.filter(
      (entry) => entry.job === 'send-welcome-email' && entry.retryInMs > 0,
    );
    expect(scheduled.map((entry) => entry.attempt)).toEqual([1, 2]);
    scheduled.forEach(({ retryInMs }, i) => {
      const nominal = BACKOFF_BASE_MS * 2 ** i;
      expect(retryInMs).toBeGreaterThanOrEqual(nominal * (1 - JITTER));
      expect(retryInMs).toBeLessThanOrEqual(nominal * (1 + JITTER));
    });
    expect(scheduled[1]?.retryInMs).toBeGreaterThan(scheduled[0]?.retryInMs ?? Infinity);

    expect(dead).toMatchObject({ attempts: 3, data: { userId: user.id } });
    expect(dead.error).toMatch(/451/);
    expect(row).toMatchObject({ status: 'dead', attempts: 3, message_id: null, sent_at: null });
    expect(row.last_error).toMatch(/451/);

    // Dead means dead: nothing more is scheduled, and no fourth attempt comes.
    expect(agendaJob).toMatchObject({ fail_count: 3, next_run_at: null, locked_at: null });
    await sleep(POLL_INTERVAL_MS * 5);
    expect(sink.attemptsFor(email)).toHaveLength(3);
  });

  it('when the server refuses a password-reset e-mail with 550, then it is not retried, ends as a dead job and the operator command lists it', async () => {
    const user = await register(t.http);
    await sink.waitForMail((mail) => mail.to.includes(user.email));
    sink.reject(550, user.email);
    await t.http.post('/api/v1/auth/password-reset').send({ email: user.email }).expect(202);

    const {
      dead,
      email: reset,
      agendaJob,
    } = await buried('send-password-reset-email', 'email', user.email, user.id);
    expect(sink.attemptsFor(user.email).filter((a) => a.responseCode === 550)).toHaveLength(1);
    expect(dead.error).toMatch(/550/);
    expect(reset).toMatchObject({ status: 'dead', attempts: 1 });

    // What `npm run jobs:dead` prints.
    const listed = await new DeadLetters(knex()).list();
    expect(listed).toContainEqual({
      id: dead.id,
      agendaJobId: expect.any(String),
      name: 'send-password-reset-email',
      data: { email: user.email },
      attempts: 1,
      error: expect.stringMatching(/550/),
      failedAt: expect.any(Date),
    });
    expect(agendaJob).toMatchObject({ name: 'send-password-reset-email', fail_count: 1 });
  });

  it('when the server recovers before the attempts run out, then the e-mail is delivered once and is not dead', async () => {
    const email = uniqueEmail('flaky');
    sink.reject(451, email);
    const user = await register(t.http, { email });
    await sink.waitForAttempts(email, 1);
    sink.accept(email);

    const mail = await sink.waitForMail((m) => m.to.includes(email));
    const row = await eventually(
      async () =>
        (await knex()('emails').where({ user_id: user.id, status: 'sent' }).first()) ?? undefined,
      'the welcome e-mail to be marked sent',
    );
    expect(row).toMatchObject({ attempts: 2, message_id: mail.messageId });
    expect(await knex()('dead_jobs').whereRaw("data->>'userId' = ?", [String(user.id)])).toEqual(
      [],
    );
  });
});

describe('e-mail jobs that run again after the SMTP server accepted the e-mail', () => {
  let db: IsolatedDatabase;
  let sink: SmtpSink;
  let t: TestApp;
  const knex = () => t.container.database.knex;

  beforeAll(async () => {
    ({ db, sink, t } = await startSmtpTestApp('email_once'));
  });
  afterAll(() => stopSmtpTestApp({ db, sink, t }));

  it('when the welcome job is enqueued again and the service is called again, then the e-mail is still sent exactly once', async () => {
    const user = await register(t.http);
    const mail = await sink.waitForMail((m) => m.to.includes(user.email));
    expect(mail.messageId).toMatch(/^<email-\d+@/);

    await t.container.tasks.enqueue('send-welcome-email', { userId: user.id });
    await eventually(async () => {
      const finished = await knex()('agenda_jobs')
        .where({ name: 'send-welcome-email' })
        .whereRaw("data->>'userId' = ?", [String(user.id)])
        .whereNotNull('last_finished_at');
      return finished.length === 2 ? finished : undefined;
    }, 'both welcome jobs to finish');
    await t.container.services.mail.sendWelcome(user.id);

    expect(sink.messages.filter((m) => m.messageId === mail.messageId)).toHaveLength(1);
    expect(sink.attemptsFor(user.email)).toHaveLength(1);
    const rows = await knex()('emails').where({ user_id: user.id });
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'welcome', status: 'sent', message_id: mail.messageId }),
    ]);
  });
});
