import type { Principal } from '../../kernel/principal';
import { DomainError } from '../../kernel/domain-error';
import type { TaskQueue } from '../../kernel/task-queue';
import type { PostService } from '../posts';
import type { UserService } from '../users';
import type { ExportRepository } from './export-repository';
import type { ExportResult, JobRecord } from './export-types';

/** Seconds a client is told to wait before asking for another export. */
const RETRY_EXPORT_AFTER = 30;

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
}

export class ExportService {
  private readonly exports: ExportRepository;

  constructor(private readonly deps: ExportServiceDeps) {
    this.exports = deps.exports;
  }

  async start(principal: Principal): Promise<JobRecord> {
    const job = await this.exports.createExport(principal.userId);
    if (!job) {
      const active = await this.exports.activeExportOf(principal.userId);
      throw new DomainError(
        'too-many-requests',
        `An export is already ${active?.status ?? 'in progress'}${active ? ` (job ${active.id})` : ''}; wait for it to finish.`,
        { retryAfterSeconds: RETRY_EXPORT_AFTER },
      );
    }
    try {
      await this.deps.queue.enqueue('export-user-data', { jobId: job.id });
    } catch (error) {
      await this.exports.delete(job.id);
      throw error;
    }
    return job;
  }

  /** A job of the caller's; anyone else's is indistinguishable from one that does not exist. */
  async get(principal: Principal, jobId: number): Promise<JobRecord> {
    const job = await this.exports.find(jobId);
    if (!job || job.userId !== principal.userId)
      throw new DomainError('not-found', `There is no job ${jobId}.`);
    return job;
  }

  async result(principal: Principal, jobId: number): Promise<ExportResult> {
    const job = await this.exports.find(jobId);
    if (!job || job.userId !== principal.userId)
      throw new DomainError('not-found', `There is no job ${jobId}.`);
    if (job.status !== 'succeeded' || !job.header) {
      const detail =
        job.status === 'failed'
          ? `Job ${jobId} failed: ${job.error ?? 'unknown error'}.`
          : `Job ${jobId} is ${job.status} (${job.progress}%); try again when it has succeeded.`;
      throw new DomainError('job-not-finished', detail);
    }
    return { header: job.header, batches: this.exports.chunks(jobId) };
  }

  /** The job body. Idempotent: a finished export is left alone, an interrupted one resumes. */
  async run(jobId: number, reportProgress: (progress: number) => Promise<void>): Promise<void> {
    const job = await this.exports.find(jobId);
    if (!job || job.status === 'succeeded' || job.status === 'failed') return;
    const user = await this.deps.users.find(job.userId);
    if (!user) {
      await this.exports.markFailed(jobId, 'The account no longer exists.');
      return;
    }
    await this.exports.markRunning(jobId, { exportedAt: new Date(), user });
    const total = await this.deps.posts.countByAuthor(user.id);
    let { seq, lastPostId, written } = await this.exports.progressOf(jobId);
    for (;;) {
      const batch = await this.deps.posts.batchByAuthor(user.id, lastPostId, this.deps.batchSize);
      if (batch.length === 0) break;
      seq += 1;
      await this.exports.addChunk(jobId, seq, batch);
      lastPostId = batch.at(-1)?.id ?? lastPostId;
      written += batch.length;
      const progress = Math.min(99, Math.floor((written * 100) / Math.max(total, 1)));
      await this.exports.setProgress(jobId, progress);
      await reportProgress(progress);
    }
    await this.exports.markSucceeded(jobId);
  }

  markFailed(jobId: number, error: string): Promise<void> {
    return this.exports.markFailed(jobId, error);
  }
}
