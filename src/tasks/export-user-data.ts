import type { Services } from '../services';
import type { Task } from './task';

export const exportUserData = (services: Services): Task<'export-user-data'> => ({
  name: 'export-user-data',
  exclusive: true,
  run: ({ jobId }, task) => services.exports.run(jobId, (progress) => task.touch(progress)),
  onExhausted: ({ jobId }, error) => services.exports.markFailed(jobId, error.message),
});
