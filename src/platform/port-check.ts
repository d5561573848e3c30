import { createServer } from 'node:net';

/**
 * Fails at once, before the database starts, when another process already listens on the port
 * (a second `npm start`, usually), naming the way out.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(
      `port ${port} on ${host} is already in use (another Inkwell still running?). ` +
        `Stop that process, or choose another port: PORT=${port + 1} npm start`,
      { cause: error },
    );
  } finally {
    await new Promise<void>((resolve) =>
      probe.listening ? probe.close(() => resolve()) : resolve(),
    );
  }
}
