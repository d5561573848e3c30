import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { AppError } from './app-error';
import type { Metrics } from '../platform/metrics';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * GET /metrics for Prometheus, behind `Authorization: Bearer <token>` when a token is configured
 * (compared in constant time; its digest is computed once, here).
 */
export function metricsRouter(metrics: Metrics, token: string | undefined): Router {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const router = Router();
  router.get('/metrics', async (req, res, next) => {
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      next(
        new AppError('unauthorized', 'Send the metrics token as "Authorization: Bearer <token>".'),
      );
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.render());
  });
  return router;
}
