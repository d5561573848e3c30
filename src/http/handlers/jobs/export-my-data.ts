import { principalOf, type Handler } from '../../handler-types';
import { presentJob } from '../../presenters/present-job';

export const exportMyData: Handler<'exportMyData'> = async (_request, context) => {
  const job = await context.services.exports.start(principalOf(context));
  return { status: 202, body: presentJob(job), headers: { Location: `/api/v1/jobs/${job.id}` } };
};
