import type { Handler } from '../../handler-types';
import { presentHealth } from '../../presenters/present-health';

export const readiness: Handler<'readiness'> = async (_request, { services }) => {
  const report = await services.health.readiness();
  if (report.status === 'unavailable') {
    return { status: 503, body: presentHealth(report), headers: { 'Retry-After': '5' } };
  }
  return { status: 200, body: presentHealth(report) };
};
