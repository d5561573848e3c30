import type { JobId, UserId } from './ids';

/**
 * The background tasks modules may ask for, with their data. A task is what a worker runs; a job
 * (modules/exports, the contract's `Job`) is what a user sees of the work they started.
 */
export interface TaskPayloads {
  'send-welcome-email': { userId: UserId };
  'send-password-reset-email': { email: string };
  'export-user-data': { jobId: JobId };
  /** Scheduled by the workers themselves, never asked for. */
  'delete-expired-exports': Record<string, never>;
}

export type TaskName = keyof TaskPayloads;

/** What modules see of the task runtime: a way to ask for work to be done later. */
export interface TaskQueue {
  enqueue<N extends TaskName>(name: N, data: TaskPayloads[N]): Promise<void>;
}
