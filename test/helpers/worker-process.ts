import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';

const ROOT = path.join(__dirname, '../..');

/**
 * The incremental build (`node scripts/build.mjs`) before the files that spawn workers start them:
 * made under a lock of this checkout, so that no worker starts from a dist/ being rewritten.
 */
export async function buildOnce(): Promise<void> {
  const release = await lockfile.lock(ROOT, {
    lockfilePath: path.join(ROOT, 'dist.lock'),
    retries: { retries: 240, minTimeout: 250, maxTimeout: 500 },
    stale: 120_000,
  });
  try {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`the build failed:\n${stdout}${stderr}`, { cause: error });
  } finally {
    await release();
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface WorkerProcess {
  pid: number;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  /** Set once it has exited. */
  exit: Exit | undefined;
  kill(signal: NodeJS.Signals): void;
  /** Peak resident set size so far, in MiB (Linux /proc VmHWM); undefined once it has exited. */
  peakRssMiB(): number | undefined;
}

const spawned = new Set<WorkerProcess>();

/**
 * `node dist/src/worker.js` with only this environment (plus PATH): NODE_ENV=test, LOG_LEVEL=warn
 * unless overridden. Stop it with kill(); killWorkers() in afterAll ends any still running.
 */
export function spawnWorker(env: Record<string, string>, nodeOptions: string[] = []) {
  return spawnBuilt('dist/src/worker.js', env, nodeOptions);
}

/** A built entry point (`dist/src/…`) run like spawnWorker runs the worker. */
export function spawnBuilt(
  script: string,
  env: Record<string, string>,
  nodeOptions: string[] = [],
) {
  const child = spawn(process.execPath, [...nodeOptions, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn the worker');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const worker: WorkerProcess = {
    pid: child.pid,
    output: () => output,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        worker.exit = { code, signal, at: Date.now() };
        spawned.delete(worker);
        resolve(worker.exit);
      });
    }),
    kill: (signal) => process.kill(child.pid as number, signal),
    peakRssMiB() {
      if (worker.exit) return undefined;
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) / 1024;
      } catch {
        return undefined;
      }
    },
  };
  spawned.add(worker);
  return worker;
}

/** SIGKILLs, by pid, every worker this file spawned that is still running. */
export async function killWorkers(): Promise<void> {
  const running = [...spawned];
  for (const worker of running) worker.kill('SIGKILL');
  await Promise.all(running.map((worker) => worker.exited));
}

/** The worker's exit, or an error naming its output when it takes longer than `timeoutMs`. */
export function exitWithin(worker: WorkerProcess, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `worker ${worker.pid} still running after ${timeoutMs} ms:\n${worker.output()}`,
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([worker.exited, timeout]).finally(() => clearTimeout(timer));
}

/** The environment of a spawned worker on this file's database (see isolatedDatabase). */
export function workerEnv(
  database: Record<string, string>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    ...database,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    JOB_LOCK_LIFETIME_MS: '3000',
    JOB_POLL_INTERVAL_MS: '200',
    EXPORT_BATCH_SIZE: '200',
    // Welcome e-mails of the test's users, with no SMTP server configured.
    OUTBOX_DIR: path.join(tmpdir(), 'inkwell-test-outbox'),
    ...overrides,
  };
}
