import { PRIVATE_REVALIDATE } from '../../etag';
import { principalOf, type Handler } from '../../handler-types';
import { streamExport } from '../../presenters/present-export';

export const getJobResult: Handler<'getJobResult'> = async ({ params }, context) => {
  const result = await context.services.exports.result(principalOf(context), params.job_id);
  return {
    status: 200,
    stream: streamExport(result),
    headers: { 'Cache-Control': PRIVATE_REVALIDATE },
  };
};
