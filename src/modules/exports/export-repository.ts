import type { Knex } from 'knex';
import type { Post } from '../posts';
import type { User } from '../users';
import type { ExportHeader, JobRecord } from './export-types';

const ACTIVE_EXPORT_INDEX = 'jobs_one_active_export_idx';

/** The jobs table (what users see of a job) and the chunks an export writes. */
export class ExportRepository {
  constructor(private readonly knex: Knex) {}

  /** A queued export for the user, or undefined when one is already queued or running. */
  async createExport(userId: number): Promise<JobRecord | undefined> {
    try {
      const [row] = await this.knex('jobs')
        .insert({ user_id: userId, type: 'export' })
        .returning('*');
      return toJob(row);
    } catch (error) {
      if ((error as { constraint?: string }).constraint === ACTIVE_EXPORT_INDEX) return undefined;
      throw error;
    }
  }

  async activeExportOf(userId: number): Promise<JobRecord | undefined> {
    const row = await this.knex('jobs')
      .where({ user_id: userId, type: 'export' })
      .whereIn('status', ['queued', 'running'])
      .first();
    return row && toJob(row);
  }

  async find(id: number): Promise<(JobRecord & { header: ExportHeader | null }) | undefined> {
    const row = await this.knex('jobs').where({ id }).first();
    return (
      row && { ...toJob(row), header: row.result_header ? reviveHeader(row.result_header) : null }
    );
  }

  async delete(id: number): Promise<void> {
    await this.knex('jobs').where({ id }).delete();
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
