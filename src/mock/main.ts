import { parseArgs } from 'node:util';
import { createLogger } from '../platform/logger';
import { createMockServer } from './mock-server';

/** `npm run mock [-- --port 4010 --host 127.0.0.1]`: the contract served from its examples. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not ${values.port}`);
  }
  const logger = createLogger('info');
  const app = await createMockServer({ logger });
  const server = app.listen(port, values.host);
  await new Promise<void>((resolve, reject) =>
    server.once('listening', resolve).once('error', reject),
  );
  const address = server.address();
  const url = `http://${values.host}:${typeof address === 'object' && address ? address.port : port}`;
  logger.info(
    { url, docs: `${url}/docs` },
    'inkwell mock is listening: every operation answers from the examples in openapi.yaml; ' +
      'send "Prefer: code=<status>" for another documented response',
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
