import type { Express } from 'express';
import { buildApp, requestListenerOf, serverClassesOf } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { listen } from '../../src/http/listen';
import type { Logger } from '../../src/platform/logger';
import { fromSnapshot } from './embedded-snapshot';
import { sleep } from './eventually';
import { contractClient, type ContractClient } from './http-client';

export const GENEROUS_LIMITS = {
  LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
  SIGNUP_MAX_PER_ADDRESS: '1000000',
  PASSWORD_RESET_MAX_REQUESTS_PER_ADDRESS: '1000000',
  PASSWORD_RESET_MAX_FAILURES_PER_ADDRESS: '1000000',
  BCRYPT_MAX_QUEUED: '10000',
  BCRYPT_MAX_PER_CLIENT: '10000',
};

export interface TestApp {
  app: Express;
  http: ContractClient;
  container: Container;
  /** Makes this app a job worker from now on (or pass `{ worker: true }`). */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Also run the job worker in this process (like WORKER_IN_PROCESS in `npm start`). */
  worker?: boolean;
  /** Where the app logs (by default a logger at TEST_LOG_LEVEL, silent unless set). */
  logger?: Logger;
}

/**
 * Builds the real app against the real services when DATABASE_URL / REDIS_URL are set, else the
 * embedded default (a PGlite of its own, in memory, started from the run's migrated snapshot).
 * The schema is migrated by the global setup.
 * No job worker runs unless asked for: enqueued jobs wait in the database.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const config = fromSnapshot(
    loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      BCRYPT_COST: '4',
      DATA_DIR: 'memory://',
      MIGRATE_ON_START: 'false',
      // Every test request comes from one address; the per-address limits and the bcrypt share of
      // one client are exercised by tests that set them low (and send from an address of their own).
      ...GENEROUS_LIMITS,
      ...env,
    }),
  );
  const container = await createContainer(config, ...(options.logger ? [options.logger] : []));
  const app = await buildApp(container);
  let worker = false;
  const startWorker = async () => {
    worker = true;
    await container.startWorker();
  };
  if (options.worker) await startWorker();
  // The server `npm start` makes: its listener, and its request and response classes.
  const server = await listen(
    requestListenerOf(app),
    { ...config.http, host: '127.0.0.1', port: 0 },
    serverClassesOf(app),
  );
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const close = async () => {
    server.close();
    server.closeAllConnections();
    await container.drainJobs(config.shutdownTimeoutMs);
    await container.close();
    // Agenda's liveness check of the last job it ran sleeps lockLifetime / 2 after the job ended;
    // wait it out, or jest reports this file's process as leaking (keep the lock lifetime short).
    if (worker) await sleep(Math.min(config.jobs.lockLifetimeMs / 2, 5_000));
  };
  return { app, http: contractClient(url), container, startWorker, close };
}
