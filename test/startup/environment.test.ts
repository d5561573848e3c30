import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { withEnvFile } from '../../src/config-env-file';
import { createDatabase } from '../../src/platform/database/create-database';
import { assertPortFree } from '../../src/platform/port-check';
import { freePort } from '../helpers/redis-server';

const ROOT = path.join(__dirname, '../..');

describe('the environment a newcomer starts with', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'inkwell-env-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when a .env file exists, then its variables apply and the environment wins over it', () => {
    const file = path.join(dir, '.env');
    writeFileSync(file, '# local settings\nPORT=4690\nLOG_LEVEL=debug\nMAIL_FROM="Ink <a@b.c>"\n');

    const config = loadConfig(withEnvFile({ LOG_LEVEL: 'warn' }, file));

    expect(config.http.port).toBe(4690);
    expect(config.logLevel).toBe('warn');
    expect(config.mail.from).toBe('Ink <a@b.c>');
  });

  it('when there is no .env file, then the environment alone applies', () => {
    expect(withEnvFile({ PORT: '1' }, path.join(dir, 'missing.env'))).toEqual({ PORT: '1' });
  });

  it('when PUBLIC_BASE_URL is not set, then e-mail links follow HOST and PORT', () => {
    expect(loadConfig({ PORT: '4690' }).publicBaseUrl).toBe('http://127.0.0.1:4690');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicBaseUrl).toBe(
      'http://localhost:8080',
    );
    expect(
      loadConfig({ PORT: '4690', PUBLIC_BASE_URL: 'https://ink.example/' }).publicBaseUrl,
    ).toBe('https://ink.example');
  });

  it('when the port is taken, then startup fails at once with a hint to set PORT', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      await expect(assertPortFree('127.0.0.1', port)).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use (another Inkwell still running?). Stop that process, or choose another port: PORT=${port + 1} npm start`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    await expect(assertPortFree('127.0.0.1', port)).resolves.toBeUndefined();
  });

  it('when the port is taken, then `npm start` says so before it builds anything', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      // The working directory has no .env: HOST and PORT come from the environment alone.
      const run = promisify(execFile)(
        process.execPath,
        [path.join(ROOT, 'scripts/build.mjs'), '--check-port'],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port) } },
      );
      const failure = await run.then(
        () => undefined,
        (error: { code?: number; stdout?: string; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain(
        `port ${port} on 127.0.0.1 is already in use (another Inkwell still running?). Stop that process, or choose another port: PORT=${port + 1} npm start`,
      );
      expect(failure?.stdout).not.toContain('build:');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('when DATABASE_URL points at nothing, then one sentence names the variable and the address, without the password', async () => {
    const port = await freePort();
    const url = `postgres://inkwell:hunter2@127.0.0.1:${port}/inkwell`;
    const config = loadConfig({ DATABASE_URL: url });

    await expect(createDatabase(config.database)).rejects.toThrow(
      `cannot reach PostgreSQL at DATABASE_URL=postgres://inkwell:***@127.0.0.1:${port}/inkwell (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });
});
