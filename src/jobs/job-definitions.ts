import type { Services } from '../services';
import type { JobDefinition } from '../platform/jobs/job-runtime';
import { exportUserData } from './export-user-data';
import { sendPasswordResetEmail } from './send-password-reset-email';
import { sendWelcomeEmail } from './send-welcome-email';

/** Every job a worker runs; each is a thin entry point into one service function. */
export function jobDefinitions(services: Services): JobDefinition[] {
  return [
    sendWelcomeEmail(services),
    sendPasswordResetEmail(services),
    exportUserData(services),
  ] as JobDefinition[];
}
