import type { Knex } from 'knex';
import type { Cache } from '../../platform/cache/cache';
import type { Logger } from '../../platform/logger';
import { HealthService } from './health-service';

export interface HealthModuleDeps {
  knex: Knex;
  cache: Cache;
  logger: Logger;
}

export function createHealthModule(deps: HealthModuleDeps) {
  return { health: new HealthService(deps) };
}
