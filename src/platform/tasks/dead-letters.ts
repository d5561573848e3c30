import type { Knex } from 'knex';

export interface DeadJob {
  id: number;
  agendaJobId: string;
  name: string;
  data: unknown;
  attempts: number;
  error: string;
  failedAt: Date;
}

/** Jobs whose attempts ran out, kept with their error for an operator (`npm run jobs:dead`). */
export class DeadLetters {
  constructor(private readonly knex: Knex) {}

  async record(job: Omit<DeadJob, 'id' | 'failedAt'>): Promise<void> {
    await this.knex('dead_jobs').insert({
      agenda_job_id: job.agendaJobId,
      name: job.name,
      data: JSON.stringify(job.data ?? {}),
      attempts: job.attempts,
      error: job.error,
    });
  }

  async list(limit = 100): Promise<DeadJob[]> {
    const rows = await this.knex('dead_jobs').orderBy('id', 'desc').limit(limit);
    return rows.map((row) => ({
      id: row.id,
      agendaJobId: row.agenda_job_id,
      name: row.name,
      data: row.data,
      attempts: row.attempts,
      error: row.error,
      failedAt: row.failed_at,
    }));
  }
}
