import type { Services } from '../services';
import type { Task } from './task';

export const deleteExpiredExports = (services: Services): Task<'delete-expired-exports'> => ({
  name: 'delete-expired-exports',
  exclusive: true,
  repeatEverySeconds: services.exports.sweepIntervalSeconds,
  run: async () => {
    await services.exports.deleteExpired();
  },
});
