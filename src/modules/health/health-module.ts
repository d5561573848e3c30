import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import type { Logger } from '../../platform/logger';
import { HealthService } from './health-service';

export interface HealthPlatform {
  knex: Knex;
  cache: Cache;
  logger: Logger;
}

export function createHealthModule(platform: HealthPlatform) {
  const { knex, cache, logger } = platform;
  return { health: new HealthService({ knex, cache, logger }) };
}
