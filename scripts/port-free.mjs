// The port check of `npm start`, before the build: src/platform/port-check.ts says the same from
// the compiled code, which may not exist yet here, or may be about to be rebuilt under the running
// Inkwell that holds the port. HOST and PORT are read as src/config.ts reads them (the environment
// over `.env`); a value config would refuse is left for it to report.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseEnv } from 'node:util';

export async function assertStartPortFree() {
  const file = path.resolve('.env');
  const env = { ...(existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}), ...process.env };
  const host = env.HOST || '127.0.0.1';
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return;
  const probe = createServer();
  try {
    await new Promise((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    if (error.code !== 'EADDRINUSE') return;
    console.error(
      `Inkwell failed to start: port ${port} on ${host} is already in use (another Inkwell ` +
        `still running?). Stop that process, or choose another port: PORT=${port + 1} npm start`,
    );
    process.exit(1);
  } finally {
    if (probe.listening) await new Promise((resolve) => probe.close(resolve));
  }
}
