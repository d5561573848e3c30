import type { Services } from '../services';
import type { JobDefinition } from '../platform/jobs/job-runtime';

export const sendWelcomeEmail = (services: Services): JobDefinition<'send-welcome-email'> => ({
  name: 'send-welcome-email',
  queue: 'email',
  run: ({ userId }) => services.mail.sendWelcome(userId),
  onExhausted: ({ userId }, error) => services.mail.markDead(`welcome:${userId}`, error.message),
});
