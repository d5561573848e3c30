import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The environment with the variables of `.env` in the working directory added, when that file
 * exists. A variable set in the environment wins over the file, as with dotenv.
 */
export function withEnvFile(
  env: Record<string, string | undefined>,
  file = path.resolve('.env'),
): Record<string, string | undefined> {
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

/** The address links in e-mails point at when PUBLIC_BASE_URL is not set: this server's own. */
export function defaultPublicBaseUrl(host: string, port: number): string {
  const reachable = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
