import type { Knex } from 'knex';
import type { Post } from '../posts';
import type { User } from '../users';
import type { ExportHeader, JobRecord } from './export-types';

/** What asking for an export came to: a queued job, or why there is none. */
export type ExportRequestOutcome =
  | { kind: 'queued'; job: JobRecord; requestId: number }
  | { kind: 'pending'; job: JobRecord }
  | { kind: 'quota-used'; retryAfterSeconds: number }
  | { kind: 'no-account' };

export interface ExportLimits {
  /** Exports a user may ask for in any window of `windowSeconds`. */
  quota: number;
  windowSeconds: number;
}

/** The jobs table (what users see of a job) and the chunks an export writes. */
export class ExportRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * A queued export for the user, unless one is pending or the quota is used. The user's row is
   * locked for the transaction, so that parallel requests (from any process) are decided one
   * after another; the unique index on pending exports stays as the last word.
   */
  async createExport(userId: number, limits: ExportLimits): Promise<ExportRequestOutcome> {
    return this.knex.transaction(async (trx) => {
      const user = await trx('users').where({ id: userId }).forNoKeyUpdate().first('id');
      if (!user) return { kind: 'no-account' };
      const pending = await activeExportOf(trx, userId);
      if (pending) return { kind: 'pending', job: pending };
      const recent = trx('export_requests')
        .where({ user_id: userId })
        .where('requested_at', '>', this.ago(limits.windowSeconds))
        .orderBy('requested_at', 'desc')
        .limit(limits.quota)
        .select('requested_at');
      const used = await trx
        .from(recent.as('recent'))
        .first(
          trx.raw('count(*)::int as count'),
          trx.raw(
            'ceil(extract(epoch from min(requested_at) + make_interval(secs => ?) - now()))::int as retry_after',
            [limits.windowSeconds],
          ),
        );
      if (used.count >= limits.quota) {
        return { kind: 'quota-used', retryAfterSeconds: Math.max(1, used.retry_after) };
      }
      const [row] = await trx('jobs').insert({ user_id: userId, type: 'export' }).returning('*');
      const [request] = await trx('export_requests').insert({ user_id: userId }).returning('id');
      return { kind: 'queued', job: toJob(row), requestId: Number(request.id) };
    });
  }

  /** Takes back an export that could not be queued: its job and its place in the quota. */
  async withdraw(jobId: number, requestId: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('jobs').where({ id: jobId }).delete();
      await trx('export_requests').where({ id: requestId }).delete();
    });
  }

  /**
   * Deletes finished jobs (with their chunks) older than `ttlSeconds`, and requests that no
   * longer count against any quota.
   */
  async deleteExpired(ttlSeconds: number, windowSeconds: number): Promise<{ jobs: number }> {
    const jobs = await this.knex('jobs').where('finished_at', '<=', this.ago(ttlSeconds)).delete();
    await this.knex('export_requests')
      .where('requested_at', '<=', this.ago(windowSeconds))
      .delete();
    return { jobs };
  }

  /** A job; with `keptForSeconds`, none that finished longer ago (expired, not yet deleted). */
  async find(
    id: number,
    keptForSeconds?: number,
  ): Promise<(JobRecord & { header: ExportHeader | null }) | undefined> {
    const query = this.knex('jobs').where({ id });
    if (keptForSeconds !== undefined) {
      query.where((live) =>
        live.whereNull('finished_at').orWhere('finished_at', '>', this.ago(keptForSeconds)),
      );
    }
    const row = await query.first();
    return (
      row && { ...toJob(row), header: row.result_header ? reviveHeader(row.result_header) : null }
    );
  }

  async markRunning(id: number, header: ExportHeader): Promise<void> {
    await this.knex('jobs')
      .where({ id })
      .update({
        status: 'running',
        started_at: this.knex.raw('coalesce(started_at, now())'),
        // The first attempt fixes the header; a resumed export keeps it.
        result_header: this.knex.raw('coalesce(result_header, ?::jsonb)', [JSON.stringify(header)]),
      });
  }

  async setProgress(id: number, progress: number): Promise<void> {
    await this.knex('jobs').where({ id }).update({ progress });
  }

  async markSucceeded(id: number): Promise<void> {
    await this.knex('jobs')
      .where({ id })
      .update({ status: 'succeeded', progress: 100, finished_at: this.knex.fn.now() });
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.knex('jobs')
      .where({ id })
      .whereNot({ status: 'succeeded' })
      .update({ status: 'failed', error, finished_at: this.knex.fn.now() });
  }

  /** Where an interrupted export resumes: the last chunk written and the posts it covered. */
  async progressOf(jobId: number): Promise<{ seq: number; lastPostId: number; written: number }> {
    const row = await this.knex('export_chunks')
      .where({ job_id: jobId })
      .select(this.knex.raw('coalesce(max(seq), 0)::int as seq'))
      .select(this.knex.raw('coalesce(max(last_post_id), 0)::bigint as last_post_id'))
      .select(this.knex.raw('coalesce(sum(count), 0)::int as written'))
      .first();
    return { seq: row.seq, lastPostId: Number(row.last_post_id), written: row.written };
  }

  async addChunk(jobId: number, seq: number, posts: Post[]): Promise<void> {
    const last = posts.at(-1);
    if (!last) return;
    await this.knex('export_chunks')
      .insert({
        job_id: jobId,
        seq,
        last_post_id: last.id,
        count: posts.length,
        posts: JSON.stringify(posts),
      })
      .onConflict(['job_id', 'seq'])
      .ignore();
  }

  /** The database's clock, so that every process agrees on what has expired. */
  private ago(seconds: number): Knex.Raw {
    return this.knex.raw('now() - make_interval(secs => ?)', [seconds]);
  }

  /** The chunks in order, one query per chunk so memory holds one batch at a time. */
  async *chunks(jobId: number): AsyncIterable<Post[]> {
    for (let seq = 1; ; seq++) {
      const row = await this.knex('export_chunks').where({ job_id: jobId, seq }).first('posts');
      if (!row) return;
      yield (row.posts as Array<Post & { createdAt: string; updatedAt: string }>).map((post) => ({
        ...post,
        createdAt: new Date(post.createdAt),
        updatedAt: new Date(post.updatedAt),
      }));
    }
  }
}

async function activeExportOf(knex: Knex, userId: number): Promise<JobRecord | undefined> {
  const row = await knex('jobs')
    .where({ user_id: userId, type: 'export' })
    .whereIn('status', ['queued', 'running'])
    .first();
  return row && toJob(row);
}

function toJob(row: Record<string, unknown>): JobRecord {
  return {
    id: row.id as number,
    userId: row.user_id as number,
    type: 'export',
    status: row.status as JobRecord['status'],
    progress: row.progress as number,
    error: (row.error as string | null) ?? null,
    createdAt: row.created_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
  };
}

function reviveHeader(raw: {
  exportedAt: string;
  user: User & { createdAt: string; updatedAt: string };
}): ExportHeader {
  return {
    exportedAt: new Date(raw.exportedAt),
    user: {
      ...raw.user,
      createdAt: new Date(raw.user.createdAt),
      updatedAt: new Date(raw.user.updatedAt),
    },
  };
}
