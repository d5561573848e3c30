import type { components } from '../../../generated/openapi';
import type { Readiness } from '../../modules/health';

export function presentHealth(report: Readiness): components['schemas']['Health'] {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, check]) => [
      name,
      {
        status: check.status,
        latency_ms: check.latencyMs,
        ...(check.error ? { error: check.error } : {}),
      },
    ]),
  );
  return { status: report.status, checks };
}
