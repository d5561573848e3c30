import type { Handler } from '../../handler-types';

export const health: Handler<'health'> = async () => ({
  status: 200,
  body: { status: 'ok', checks: {} },
});
