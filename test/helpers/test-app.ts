import type { Express } from 'express';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { contractClient, type ContractClient } from './http-client';

export interface TestApp {
  app: Express;
  http: ContractClient;
  container: Container;
  close(): Promise<void>;
}

/**
 * Builds the real app against the real services when DATABASE_URL / REDIS_URL are set, else the
 * embedded default (a PGlite of its own, in memory). The schema is migrated by the global setup.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    BCRYPT_COST: '4',
    DATA_DIR: 'memory://',
    MIGRATE_ON_START: 'false',
    ...env,
  });
  const container = await createContainer(config);
  const app = await buildApp(container);
  return { app, http: contractClient(app), container, close: () => container.close() };
}
