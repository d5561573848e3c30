import { readFile, writeFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Runs PGlite off the main thread (its WASM engine would otherwise block the event loop) and
 * exposes it on a Unix socket, so the API talks to it with the same pg/knex code as to PostgreSQL.
 */
interface WorkerInput {
  dataDir: string;
  /** A tarball made by `snapshot`: an in-memory database starts from it instead of initdb. */
  snapshot?: string;
  socketPath: string;
  maxConnections: number;
}

type Message = { type: 'stop' } | { type: 'snapshot'; file: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-worker must run in a worker thread');
  const { dataDir, snapshot, socketPath, maxConnections } = workerData as WorkerInput;
  const db = await open(dataDir, snapshot).catch((error: unknown) => {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
      stage: 'open',
    });
  });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
  await server.start();
  port.on('message', (message: Message) => {
    void (async () => {
      try {
        if (message.type === 'snapshot') {
          const dump = await db.dumpDataDir('none');
          await writeFile(message.file, Buffer.from(await dump.arrayBuffer()));
          port.postMessage({ type: 'snapshotted' });
        } else if (message.type === 'stop') {
          await server.stop();
          await db.close();
          port.postMessage({ type: 'stopped' });
        }
      } catch (error) {
        port.postMessage({ type: 'error', message: String(error) });
      }
    })();
  });
  port.postMessage({ type: 'ready' });
}

async function open(dataDir: string, snapshot: string | undefined): Promise<PGlite> {
  const inMemory = dataDir === 'memory://';
  if (inMemory && snapshot) {
    return PGlite.create({ loadDataDir: new Blob([await readFile(snapshot)]) });
  }
  return PGlite.create(inMemory ? undefined : dataDir);
}

main().catch((error: unknown) => {
  parentPort?.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    stage: (error as { stage?: string }).stage,
  });
});
