import { chmodSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import lockfile from 'proper-lockfile';

export interface EmbeddedPostgres {
  /** Directory holding the Unix socket; pass it to pg as `host`. */
  socketDir: string;
  port: number;
  /** Writes the whole data directory to `file`, to start other in-memory databases from. */
  snapshot(file: string): Promise<void>;
  stop(): Promise<void>;
}

const PG_PORT = 5432;

/**
 * Starts PGlite in a worker thread behind a Unix socket and locks its data directory. An in-memory
 * database (`memory://`) starts from `snapshot` when given, skipping initdb.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  snapshot?: string,
): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === 'memory://';
  let releaseLock: (() => Promise<void>) | undefined;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    ownerOnly(dataDir);
    releaseLock = await lockDataDir(dataDir);
  }
  const socketDir = mkdtempSync(path.join(tmpdir(), 'inkwell-pg-'));
  const worker = spawnWorker({
    dataDir: inMemory ? dataDir : path.resolve(dataDir),
    snapshot,
    socketPath: path.join(socketDir, `.s.PGSQL.${PG_PORT}`),
    maxConnections: 8,
  });
  try {
    await waitFor(worker, 'ready');
  } catch (error) {
    await worker.terminate();
    await releaseLock?.();
    rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  return {
    socketDir,
    port: PG_PORT,
    async snapshot(file) {
      worker.postMessage({ type: 'snapshot', file });
      await waitFor(worker, 'snapshotted');
    },
    async stop() {
      worker.postMessage({ type: 'stop' });
      await waitFor(worker, 'stopped').catch(() => undefined);
      await worker.terminate();
      await releaseLock?.();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * The data directory holds password hashes and session tokens (in its tables and WAL): owner-only,
 * the directory and whatever an earlier run or another umask left in it.
 */
function ownerOnly(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const inner = path.join(dir, entry.name);
    if (entry.isDirectory()) ownerOnly(inner);
    else if (entry.isFile()) chmodSync(inner, 0o600);
  }
}

async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, { stale: 15_000, update: 5_000, realpath: false });
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ELOCKED'
        ? 'is in use by another process'
        : String(error);
    throw new Error(
      `The embedded database directory ${path.resolve(dataDir)} ${reason}. ` +
        'Stop the other Inkwell process, or set DATA_DIR to another directory.',
      { cause: error },
    );
  }
}

function spawnWorker(workerData: object): Worker {
  // Under ts-jest/tsx the sources are TypeScript; the worker then needs a loader of its own.
  const isTs = __filename.endsWith('.ts');
  const file = path.join(__dirname, isTs ? 'pglite-worker.ts' : 'pglite-worker.js');
  return new Worker(file, {
    workerData,
    execArgv: isTs ? ['--require', require.resolve('tsx/cjs')] : [],
  });
}

function waitFor(worker: Worker, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === type) done(resolve);
      else if (message.type === 'error')
        done(() => reject(new Error(`Embedded database failed: ${message.message}`)));
    };
    const onExit = (code: number) =>
      done(() => reject(new Error(`Embedded database worker exited with code ${code}`)));
    const onError = (error: Error) => done(() => reject(error));
    const done = (settle: () => void) => {
      worker.off('message', onMessage).off('exit', onExit).off('error', onError);
      settle();
    };
    worker.on('message', onMessage).on('exit', onExit).on('error', onError);
  });
}
