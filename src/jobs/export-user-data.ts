import type { Services } from '../services';
import type { JobDefinition } from '../platform/jobs/job-runtime';

export const exportUserData = (services: Services): JobDefinition<'export-user-data'> => ({
  name: 'export-user-data',
  queue: 'heavy',
  run: ({ jobId }, job) => services.exports.run(jobId, (progress) => job.touch(progress)),
  onExhausted: ({ jobId }, error) => services.exports.markFailed(jobId, error.message),
});
