import { Undeliverable } from '../modules/mail';
import type { Services } from '../services';
import type { Task } from './task';

// Keyed by the task's id: retries of this request share one e-mail; a new request gets its own.
export const sendPasswordResetEmail = (services: Services): Task<'send-password-reset-email'> => ({
  name: 'send-password-reset-email',
  run: ({ email }, task) => services.mail.sendPasswordReset(email, `password-reset:${task.id}`),
  isPermanent: (error) => error instanceof Undeliverable,
  onExhausted: (_data, error, task) =>
    services.mail.markDead(`password-reset:${task.id}`, error.message),
});
