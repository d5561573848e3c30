import { hostname } from 'node:os';
import { PostgresBackend } from '@agendajs/postgres-backend';
import {
  Agenda,
  exponential,
  InMemoryNotificationChannel,
  type Job,
  type JobWithId,
  type RetryDetails,
} from 'agenda';
import pg from 'pg';
import type { Config } from '../../config';
import type { Database } from '../database/create-database';
import type { Logger } from '../logger';
import { DeadLetters } from './dead-letters';
import { PermanentFailure } from './permanent-failure';
import type { JobName, JobPayloads, JobQueue } from './job-queue';
import { poolOverKnex } from './pool-over-knex';

export interface RunningJob {
  id: string;
  attempt: number;
  /** Reports progress (0–100) and renews the job's lock, so a long job is not taken over. */
  touch(progress: number): Promise<void>;
}

export interface JobDefinition<N extends JobName = JobName> {
  name: N;
  /** `email` jobs run several at a time; `heavy` ones one at a time per worker. */
  queue: 'email' | 'heavy';
  run(data: JobPayloads[N], job: RunningJob): Promise<void>;
  /** Called once every attempt has failed, after the job is recorded as dead. */
  onExhausted?(data: JobPayloads[N], error: Error, job: { id: string }): Promise<void>;
}

/**
 * Agenda on the application's PostgreSQL. On PostgreSQL, workers wake up through LISTEN/NOTIFY;
 * on the embedded database (one session, no cross-connection NOTIFY) Agenda borrows knex's single
 * connection and an in-process notification channel.
 */
export class JobRuntime implements JobQueue {
  private constructor(
    private readonly agenda: Agenda,
    private readonly pool: pg.Pool,
    private readonly config: Config['jobs'],
    private readonly deadLetters: DeadLetters,
    private readonly logger: Logger,
  ) {}

  static async create(config: Config, database: Database, logger: Logger): Promise<JobRuntime> {
    const embedded = config.database.kind === 'embedded';
    // Our pool, not the backend's: Agenda never ends its own pool when it was not started (an
    // API-only process), and sets no error listener on it, so a dropped idle connection would
    // crash the process.
    const pool =
      config.database.kind === 'postgres'
        ? new pg.Pool({ connectionString: config.database.url, max: 4 })
        : poolOverKnex(database.knex);
    pool.on('error', (error) => logger.warn({ err: error }, 'job database connection lost'));
    const backend = new PostgresBackend({
      pool,
      tableName: 'agenda_jobs',
      ensureSchema: false,
      disableNotifications: embedded,
    });
    const agenda = new Agenda({
      backend,
      name: `${hostname()}-${process.pid}`,
      processEvery: config.jobs.pollIntervalMs,
      defaultLockLifetime: config.jobs.lockLifetimeMs,
      maxConcurrency: config.jobs.emailConcurrency + 1,
      ...(embedded ? { notificationChannel: new InMemoryNotificationChannel() } : {}),
    });
    agenda.on('error', (error: unknown) => logger.error({ err: error }, 'job runtime error'));
    await agenda.ready;
    return new JobRuntime(agenda, pool, config.jobs, new DeadLetters(database.knex), logger);
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N]): Promise<void> {
    await this.agenda.now(name, data);
  }

  /** Turns this process into a worker for the given jobs. */
  async startWorker(definitions: JobDefinition[]): Promise<void> {
    const exponentialBackoff = exponential({
      delay: this.config.backoffBaseMs,
      factor: 2,
      jitter: 0.2,
      maxRetries: this.config.maxAttempts - 1,
    });
    const backoff: typeof exponentialBackoff = (context) =>
      context.error instanceof PermanentFailure ? null : exponentialBackoff(context);
    for (const definition of definitions) {
      this.agenda.define(
        definition.name,
        async (job: Job<JobPayloads[JobName]>) => {
          await definition.run(job.attrs.data, {
            id: String(job.attrs._id),
            attempt: (job.attrs.failCount ?? 0) + 1,
            touch: (progress) => job.touch(progress),
          });
        },
        definition.queue === 'heavy'
          ? { concurrency: 1, lockLimit: 1, lockLifetime: this.config.lockLifetimeMs, backoff }
          : {
              concurrency: this.config.emailConcurrency,
              lockLifetime: this.config.lockLifetimeMs,
              backoff,
            },
      );
    }
    const byName = new Map(definitions.map((definition) => [definition.name, definition]));
    this.agenda.on('retry exhausted', (error: Error, job: JobWithId) => {
      void this.bury(byName.get(job.attrs.name as JobName), job, error);
    });
    this.agenda.on('retry', (job: JobWithId, details: RetryDetails) => {
      this.logger.warn(
        {
          job: job.attrs.name,
          attempt: details.attempt,
          retryInMs: details.delay,
          err: details.error,
        },
        'job failed; retrying',
      );
    });
    await this.agenda.start();
  }

  /** Waits for running jobs to finish (SIGTERM), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const result = await this.agenda.drain(timeoutMs);
    if (result.timedOut)
      this.logger.warn({ running: result.running }, 'jobs still running at shutdown');
  }

  async close(): Promise<void> {
    await this.agenda.stop();
    await this.pool.end();
  }

  private async bury(definition: JobDefinition | undefined, job: JobWithId, error: Error) {
    const id = String(job.attrs._id);
    try {
      await this.deadLetters.record({
        agendaJobId: id,
        name: job.attrs.name,
        data: job.attrs.data,
        attempts: job.attrs.failCount ?? this.config.maxAttempts,
        error: error.message,
      });
      await definition?.onExhausted?.(job.attrs.data as never, error, { id });
      this.logger.error(
        { job: job.attrs.name, id, err: error },
        'job failed for good; recorded as dead',
      );
    } catch (buryError) {
      this.logger.error({ err: buryError, job: job.attrs.name, id }, 'could not record a dead job');
    }
  }
}
