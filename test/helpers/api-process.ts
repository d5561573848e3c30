import { request as httpRequest } from 'node:http';
import { eventually } from './eventually';
import { contractClient, type ContractClient } from './http-client';
import { freePort } from './redis-server';
import { GENEROUS_LIMITS } from './test-app';
import { spawnBuilt, type WorkerProcess } from './worker-process';

export interface ApiProcess {
  process: WorkerProcess;
  port: number;
  url: string;
  /** Requests to it, each checked against the contract. */
  http: ContractClient;
}

/** One GET on a connection of its own; resolves with the status, or rejects on a socket error. */
export function getStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

/**
 * The built API (`node dist/src/main.js`) as a process of its own, on a free port, ready (its
 * /healthz answers). Build first (buildOnce); killWorkers() ends it.
 */
export async function spawnApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawnBuilt('dist/src/main.js', {
    HOST: '127.0.0.1',
    PORT: String(port),
    BCRYPT_COST: '4',
    MIGRATE_ON_START: 'false',
    WORKER_IN_PROCESS: 'false',
    ...GENEROUS_LIMITS,
    ...env,
  });
  await eventually(
    async () => {
      if (child.exit) throw new Error(`the API exited: ${child.output()}`);
      return (await getStatus(port, '/healthz').catch(() => 0)) === 200 ? true : undefined;
    },
    'the API process to answer',
    { intervalMs: 100 },
  );
  const url = `http://127.0.0.1:${port}`;
  return { process: child, port, url, http: contractClient(url) };
}
