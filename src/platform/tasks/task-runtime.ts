import { hostname } from 'node:os';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, exponential, type Job, type JobWithId, type RetryDetails } from 'agenda';
import pg from 'pg';
import type { Database } from '../database/create-database';
import type { Logger } from '../logger';
import { DeadLetters } from './dead-letters';
import { poolOverKnex } from './pool-over-knex';
import { inTaskSpan, UntracedNotificationChannel } from './task-tracing';

export interface TaskRuntimeSettings {
  lockLifetimeMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  /** Tasks of the shared lane running at a time per worker. */
  concurrency: number;
}

/** Task names and their data, as the application defines them. */
export type Payloads = object;

export interface RunningTask {
  id: string;
  attempt: number;
  /** Reports progress (0–100) and renews the job's lock, so a long job is not taken over. */
  touch(progress: number): Promise<void>;
}

export interface TaskDefinition<
  P extends Payloads = Payloads,
  N extends keyof P & string = keyof P & string,
> {
  name: N;
  /** Exclusive tasks run one at a time per worker; the others `concurrency` at a time. */
  exclusive?: boolean;
  /** A recurring task: run at start, then every so many seconds (once, whatever the workers). */
  repeatEverySeconds?: number;
  run(data: P[N], task: RunningTask): Promise<void>;
  /** An error another attempt cannot fix (e.g. an SMTP 5xx): the task is not retried. */
  isPermanent?(error: unknown): boolean;
  /** Called once every attempt has failed, after the task is recorded as dead. */
  onExhausted?(data: P[N], error: Error, task: { id: string }): Promise<void>;
}

/**
 * Agenda on the application's PostgreSQL. On PostgreSQL, workers wake up through LISTEN/NOTIFY;
 * on the embedded database (one session, no cross-connection NOTIFY) Agenda borrows knex's single
 * connection and an in-process notification channel.
 */
export class TaskRuntime<P extends Payloads> {
  private constructor(
    private readonly agenda: Agenda,
    private readonly pool: pg.Pool,
    private readonly config: TaskRuntimeSettings,
    private readonly deadLetters: DeadLetters,
    private readonly logger: Logger,
  ) {}

  static async create<P extends Payloads>(
    config: TaskRuntimeSettings,
    database: Database,
    logger: Logger,
  ): Promise<TaskRuntime<P>> {
    const embedded = database.connection === undefined;
    // Our pool, not the backend's: Agenda never ends its own pool when it was not started (an
    // API-only process), and sets no error listener on it, so a dropped idle connection would
    // crash the process. Same timeouts and keepalive as the application's pool.
    const pool =
      database.connection === undefined
        ? poolOverKnex(database.knex)
        : new pg.Pool({ ...database.connection, max: 4 });
    pool.on('error', (error) =>
      throttled(logger, 'pool')(error, 'job database connection lost; reconnecting'),
    );
    const backend = new PostgresBackend({
      pool,
      tableName: 'agenda_jobs',
      ensureSchema: false,
      disableNotifications: embedded,
    });
    // The LISTEN connection re-establishes itself (with backoff) when PostgreSQL restarts or a
    // proxy resets it, and reports each loss as an 'error' event: unheard, that event would end
    // the process. Jobs are also found by polling, so a lost channel only delays them.
    backend.notificationChannel?.on('error', (error: unknown) =>
      throttled(logger, 'channel')(error, 'job notification channel lost; reconnecting'),
    );
    const agenda = new Agenda({
      backend,
      name: `${hostname()}-${process.pid}`,
      processEvery: config.pollIntervalMs,
      defaultLockLifetime: config.lockLifetimeMs,
      maxConcurrency: config.concurrency + 1,
      ...(embedded ? { notificationChannel: new UntracedNotificationChannel() } : {}),
    });
    agenda.on('error', (error: unknown) => throttled(logger, 'agenda')(error, 'job runtime error'));
    await agenda.ready;
    return new TaskRuntime<P>(agenda, pool, config, new DeadLetters(database.knex), logger);
  }

  async enqueue<N extends keyof P & string>(name: N, data: P[N]): Promise<void> {
    await this.agenda.now(name, data);
  }

  /** Turns this process into a worker for the given tasks. */
  async startWorker(definitions: Array<TaskDefinition<P>>): Promise<void> {
    const exponentialBackoff = exponential({
      delay: this.config.backoffBaseMs,
      factor: 2,
      jitter: 0.2,
      maxRetries: this.config.maxAttempts - 1,
    });
    for (const definition of definitions) {
      const backoff: typeof exponentialBackoff = (context) =>
        definition.isPermanent?.(context.error) ? null : exponentialBackoff(context);
      this.agenda.define(
        definition.name,
        async (job: Job<P[keyof P & string]>) => {
          const task = { id: String(job.attrs._id), attempt: (job.attrs.failCount ?? 0) + 1 };
          await inTaskSpan(definition.name, task, () =>
            definition.run(job.attrs.data, {
              ...task,
              touch: (progress) => job.touch(progress),
            }),
          );
        },
        definition.exclusive
          ? { concurrency: 1, lockLimit: 1, lockLifetime: this.config.lockLifetimeMs, backoff }
          : {
              concurrency: this.config.concurrency,
              lockLifetime: this.config.lockLifetimeMs,
              backoff,
            },
      );
    }
    for (const definition of definitions) {
      if (definition.repeatEverySeconds === undefined) continue;
      await this.agenda.every(`${definition.repeatEverySeconds} seconds`, definition.name, {});
    }
    const byName = new Map<string, TaskDefinition<P>>(definitions.map((d) => [d.name, d]));
    this.agenda.on('retry exhausted', (error: Error, job: JobWithId) => {
      void this.bury(byName.get(job.attrs.name), job, error);
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

  /** Waits for running tasks to finish (SIGTERM), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const result = await this.agenda.drain(timeoutMs);
    if (result.timedOut)
      this.logger.warn({ running: result.running }, 'jobs still running at shutdown');
  }

  async close(): Promise<void> {
    await this.agenda.stop();
    await this.pool.end();
  }

  private async bury(definition: TaskDefinition<P> | undefined, job: JobWithId, error: Error) {
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

const WARN_INTERVAL_MS = 10_000;
const warnings = new WeakMap<Logger, Map<string, { at: number; unsaid: number }>>();

/** A warning of one source at most every 10 s, with how many were left unsaid: outages are noisy. */
function throttled(logger: Logger, source: string) {
  return (error: unknown, message: string) => {
    let sources = warnings.get(logger);
    if (!sources) warnings.set(logger, (sources = new Map()));
    const state = sources.get(source) ?? { at: 0, unsaid: 0 };
    sources.set(source, state);
    const now = Date.now();
    if (now - state.at < WARN_INTERVAL_MS) {
      state.unsaid++;
      return;
    }
    logger.warn({ err: error, alsoSeen: state.unsaid }, message);
    state.at = now;
    state.unsaid = 0;
  };
}
