import { principalOf, type Handler } from '../../handler-types';
import { presentJob } from '../../presenters/present-job';

export const getJob: Handler<'getJob'> = async ({ params }, context) => {
  const job = await context.services.exports.get(principalOf(context), params.job_id);
  return { status: 200, body: presentJob(job), headers: { 'Cache-Control': 'no-store' } };
};
