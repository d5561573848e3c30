import type { Services } from '../services';
import type { JobDefinition } from '../platform/jobs/job-runtime';

// Keyed by the job's id: retries of this request share one e-mail; a new request gets its own.
export const sendPasswordResetEmail = (
  services: Services,
): JobDefinition<'send-password-reset-email'> => ({
  name: 'send-password-reset-email',
  queue: 'email',
  run: ({ email }, job) => services.mail.sendPasswordReset(email, `password-reset:${job.id}`),
  onExhausted: (_data, error, job) =>
    services.mail.markDead(`password-reset:${job.id}`, error.message),
});
