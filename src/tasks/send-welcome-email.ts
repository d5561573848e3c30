import { Undeliverable } from '../modules/mail';
import type { Services } from '../services';
import type { Task } from './task';

export const sendWelcomeEmail = (services: Services): Task<'send-welcome-email'> => ({
  name: 'send-welcome-email',
  run: ({ userId }) => services.mail.sendWelcome(userId),
  isPermanent: (error) => error instanceof Undeliverable,
  onExhausted: ({ userId }, error) => services.mail.markDead(`welcome:${userId}`, error.message),
});
