import type { Principal } from '../../kernel/principal';
import { DomainError } from '../../kernel/domain-error';
import type { TaskQueue } from '../../kernel/task-queue';
import type { PostService } from '../posts';
import type { UserService } from '../users';
import type { ExportRepository } from './export-repository';
import type { ExportResult, JobRecord } from './export-types';

/** The quota counts the exports asked for in any window this long: a day. */
const QUOTA_WINDOW_SECONDS = 86_400;
/** Expired results are deleted at least this often, sooner when they are kept for less. */
const SWEEP_INTERVAL_SECONDS = 3_600;

/**
 * Data export: a user's profile and every post, written by a background job in batches (memory
 * holds one batch), resumable after a crash, with progress a client can watch.
 */
export interface ExportServiceDeps {
  exports: ExportRepository;
  users: UserService;
  posts: PostService;
  queue: TaskQueue;
  batchSize: number;
  /** How long a finished export (its result, or its error) is kept before it is deleted. */
  resultTtlSeconds: number;
  /** Exports one user may ask for in any 24 hours. */
  dailyQuota: number;
}

export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  /**
   * Queues an export, unless the user has one pending (queued or running) or has used the day's
   * quota; both are decided under a lock, so parallel requests cannot both pass.
   */
  async start(principal: Principal): Promise<JobRecord> {
    const outcome = await this.deps.exports.createExport(principal.userId, {
      quota: this.deps.dailyQuota,
      windowSeconds: QUOTA_WINDOW_SECONDS,
    });
    switch (outcome.kind) {
      case 'pending':
        throw new DomainError(
          'export-pending',
          `Export job ${outcome.job.id} is still ${outcome.job.status}; one export at a time, ask again once it has finished.`,
        );
      case 'quota-used':
        throw new DomainError(
          'too-many-requests',
          `At most ${this.deps.dailyQuota} exports in 24 hours; the next one can be asked for in ${outcome.retryAfterSeconds} seconds.`,
          { retryAfterSeconds: outcome.retryAfterSeconds },
        );
      case 'no-account':
        throw new DomainError('unauthorized', 'The account no longer exists.', {
          refusal: 'invalid_token',
        });
    }
    try {
      await this.deps.queue.enqueue('export-user-data', { jobId: outcome.job.id });
    } catch (error) {
      await this.deps.exports.withdraw(outcome.job.id, outcome.requestId);
      throw error;
    }
    return outcome.job;
  }

  /**
   * A job of the caller's; anyone else's, and one whose result has expired, is indistinguishable
   * from one that does not exist.
   */
  get(principal: Principal, jobId: number): Promise<JobRecord> {
    return this.ownJob(principal, jobId);
  }

  async result(principal: Principal, jobId: number): Promise<ExportResult> {
    const job = await this.ownJob(principal, jobId);
    if (job.status !== 'succeeded' || !job.header) {
      const detail =
        job.status === 'failed'
          ? `Job ${jobId} failed: ${job.error ?? 'unknown error'}.`
          : `Job ${jobId} is ${job.status} (${job.progress}%); try again when it has succeeded.`;
      throw new DomainError('job-not-finished', detail);
    }
    return { header: job.header, batches: this.deps.exports.chunks(jobId) };
  }

  private async ownJob(principal: Principal, jobId: number) {
    const job = await this.deps.exports.find(jobId, this.deps.resultTtlSeconds);
    if (!job || job.userId !== principal.userId)
      throw new DomainError('not-found', `There is no job ${jobId}.`);
    return job;
  }

  /** Deletes expired jobs with their results, and requests older than the quota's window. */
  async deleteExpired(): Promise<number> {
    const { jobs } = await this.deps.exports.deleteExpired(
      this.deps.resultTtlSeconds,
      QUOTA_WINDOW_SECONDS,
    );
    return jobs;
  }

  /** How often `deleteExpired` should run for results to go soon after they expire. */
  get sweepIntervalSeconds(): number {
    return Math.min(this.deps.resultTtlSeconds, SWEEP_INTERVAL_SECONDS);
  }

  /** The job body. Idempotent: a finished export is left alone, an interrupted one resumes. */
  async run(jobId: number, reportProgress: (progress: number) => Promise<void>): Promise<void> {
    const job = await this.deps.exports.find(jobId);
    if (!job || job.status === 'succeeded' || job.status === 'failed') return;
    const user = await this.deps.users.find(job.userId);
    if (!user) {
      await this.deps.exports.markFailed(jobId, 'The account no longer exists.');
      return;
    }
    await this.deps.exports.markRunning(jobId, { exportedAt: new Date(), user });
    const total = await this.deps.posts.countByAuthor(user.id);
    let { seq, lastPostId, written } = await this.deps.exports.progressOf(jobId);
    for (;;) {
      const batch = await this.deps.posts.batchByAuthor(user.id, lastPostId, this.deps.batchSize);
      if (batch.length === 0) break;
      seq += 1;
      await this.deps.exports.addChunk(jobId, seq, batch);
      lastPostId = batch.at(-1)?.id ?? lastPostId;
      written += batch.length;
      const progress = Math.min(99, Math.floor((written * 100) / Math.max(total, 1)));
      await this.deps.exports.setProgress(jobId, progress);
      await reportProgress(progress);
    }
    await this.deps.exports.markSucceeded(jobId);
  }

  markFailed(jobId: number, error: string): Promise<void> {
    return this.deps.exports.markFailed(jobId, error);
  }
}
