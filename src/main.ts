import cluster from 'node:cluster';
import { loadConfig } from './config';
import { startEmbeddedPostgres } from './platform/database/embedded-postgres';
import { tuneHeap } from './platform/heap';
import { createLogger } from './platform/logger';
import { assertPortFree } from './platform/port-check';
import { exitOnStartupFailure } from './process-lifecycle';

/**
 * API process: config → port check → container → HTTP (api-process.ts). With WEB_CONCURRENCY
 * above 1, this process becomes the primary that runs that many of them.
 *
 * Only what the port check needs is imported up front: a busy port is reported before anything
 * heavy loads. The embedded database then starts in its worker thread while this thread loads the
 * rest of the code, so the two overlap instead of adding up. Tracing, when configured, starts
 * before that code loads.
 */
async function main(): Promise<void> {
  tuneHeap();
  const config = loadConfig();
  const logger = createLogger(config.logLevel, {
    pretty: config.env === 'development' && process.stdout.isTTY,
  });
  // Workers of cluster mode share the primary's port: the primary checks it, before forking.
  if (cluster.isPrimary) await assertPortFree(config.http.host, config.http.port);
  if (config.processes > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./platform/cluster/primary');
    const drainTimeoutMs = config.shutdownTimeoutMs * 2 + 10_000;
    runPrimary({ processes: config.processes, drainTimeoutMs }, logger);
    return;
  }
  const { database } = config;
  const embedded =
    database.kind === 'embedded'
      ? startEmbeddedPostgres(database.dataDir, database.snapshot)
      : undefined;
  // The container awaits it; until then, an early failure must not count as unhandled.
  embedded?.catch(() => undefined);
  // Before pg, ioredis and http are loaded: instrumentations patch a library as it loads.
  const tracing = config.tracing
    ? (await import('./platform/tracing')).startTracing({
        endpoint: config.tracing.endpoint,
        serviceName: config.tracing.serviceName ?? 'inkwell',
      })
    : undefined;
  const { runApiProcess } = await import('./api-process');
  await runApiProcess(config, logger, { embedded, tracing });
}

main().catch(exitOnStartupFailure('Inkwell'));
