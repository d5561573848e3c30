import { chmodSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockDataDir } from './data-dir-lock';
import {
  damagedDataDir,
  emptiedDataDir,
  hasDatabase,
  readMarker,
  writeMarker,
} from './data-dir-marker';

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
 * database (`memory://`) starts from `snapshot` when given, skipping initdb. A data directory that
 * lost its files, or that PGlite cannot open, is refused with one sentence saying what to do.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  snapshot?: string,
): Promise<EmbeddedPostgres> {
  const inMemory = dataDir === 'memory://';
  let releaseLock: (() => Promise<void>) | undefined;
  let existed = false;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    ownerOnly(dataDir);
    releaseLock = await lockDataDir(dataDir);
    existed = hasDatabase(dataDir);
    const marker = readMarker(dataDir);
    if (marker && !existed) {
      await releaseLock();
      throw emptiedDataDir(dataDir, marker);
    }
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
    if (!inMemory) writeMarker(dataDir, !existed);
  } catch (error) {
    await worker.terminate();
    await releaseLock?.();
    rmSync(socketDir, { recursive: true, force: true });
    // PGlite's own words for a damaged directory ("Aborted(). Build with -sASSERTIONS…") tell an
    // operator nothing they can act on.
    if (existed && error instanceof OpenFailed) throw damagedDataDir(dataDir, error);
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

function spawnWorker(workerData: object): Worker {
  // Under ts-jest/tsx the sources are TypeScript; the worker then needs a loader of its own.
  const isTs = __filename.endsWith('.ts');
  const file = path.join(__dirname, isTs ? 'pglite-worker.ts' : 'pglite-worker.js');
  return new Worker(file, {
    workerData,
    execArgv: isTs ? ['--require', require.resolve('tsx/cjs')] : [],
  });
}

/** PGlite could not open the data directory. */
class OpenFailed extends Error {}

function waitFor(worker: Worker, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string; stage?: string }) => {
      if (message.type === type) done(resolve);
      else if (message.type === 'error') {
        const Failure = message.stage === 'open' ? OpenFailed : Error;
        done(() => reject(new Failure(`Embedded database failed: ${message.message}`)));
      }
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
