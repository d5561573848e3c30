/** The jobs a service may ask for, with their data. */
export interface JobPayloads {
  'send-welcome-email': { userId: number };
  'send-password-reset-email': { email: string };
  'export-user-data': { jobId: number };
}

export type JobName = keyof JobPayloads;

/** What services see of the job runtime: a way to ask for work to be done later. */
export interface JobQueue {
  enqueue<N extends JobName>(name: N, data: JobPayloads[N]): Promise<void>;
}
