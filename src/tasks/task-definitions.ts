import type { Services } from '../services';
import { deleteExpiredExports } from './delete-expired-exports';
import { exportUserData } from './export-user-data';
import { sendPasswordResetEmail } from './send-password-reset-email';
import { sendWelcomeEmail } from './send-welcome-email';
import type { Task } from './task';

/** Every task a worker runs; each is a thin entry point into one service function. */
export function taskDefinitions(services: Services): Task[] {
  return [
    sendWelcomeEmail(services),
    sendPasswordResetEmail(services),
    exportUserData(services),
    deleteExpiredExports(services),
  ] as Task[];
}
