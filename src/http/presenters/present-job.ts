import type { components } from '../../../generated/openapi';
import type { JobRecord } from '../../modules/exports';

export function presentJob(job: JobRecord): components['schemas']['Job'] {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    progress: job.progress,
    created_at: job.createdAt.toISOString(),
    finished_at: job.finishedAt ? job.finishedAt.toISOString() : null,
    error: job.error,
  };
}
