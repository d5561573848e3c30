import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, PATIENCE_MS } from '../helpers/eventually';
import {
  buildOnce,
  exitWithin,
  killWorkers,
  spawnBuilt,
  type WorkerProcess,
} from '../helpers/worker-process';

/** The built API on the embedded default, whatever database the suite itself runs on. */
function startApp(dataDir: string): WorkerProcess {
  return spawnBuilt('dist/src/main.js', {
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    OUTBOX_DIR: path.join(path.dirname(dataDir), 'outbox'),
  });
}

/** The URL it listens on, once it does; fails with its output if it exits first. */
const listening = (app: WorkerProcess) =>
  eventually(() => {
    if (app.exit) throw new Error(`the app exited (${app.exit.code}):\n${app.output()}`);
    return /"url":"(http:\/\/[^"]+)".*"msg":"inkwell is listening"/.exec(app.output())?.[1];
  }, `the app ${app.pid} to listen`);

/** Its exit code and what it wrote, for a start that must be refused. */
async function refusal(app: WorkerProcess) {
  const exit = await exitWithin(app, PATIENCE_MS);
  return { code: exit.code, output: app.output() };
}

async function signUp(url: string) {
  const email = `recovery-${randomBytes(4).toString('hex')}@example.com`;
  const res = await fetch(`${url}/api/v1/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, name: 'Ada', password: 'correct horse battery' }),
  });
  expect(res.status).toBe(201);
  return email;
}

const login = (url: string, email: string) =>
  fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password: 'correct horse battery' }),
  });

/** Every regular file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

async function stopCleanly(app: WorkerProcess) {
  app.kill('SIGTERM');
  expect(await exitWithin(app, PATIENCE_MS)).toMatchObject({ code: 0 });
}

describe('the embedded database after a crash, damage or loss', () => {
  let root: string;
  let dataDir: string;

  beforeAll(() => buildOnce());
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'inkwell-recovery-'));
    dataDir = path.join(root, 'pglite');
  });
  afterEach(async () => {
    await killWorkers();
    rmSync(root, { recursive: true, force: true });
  });

  it('when the process holding DATA_DIR was killed with SIGKILL, then a restart takes its lock over at once and serves the same data', async () => {
    const first = startApp(dataDir);
    const email = await signUp(await listening(first));
    first.kill('SIGKILL');
    await first.exited;
    expect(existsSync(`${dataDir}.lock`)).toBe(true); // left behind, and fresh

    const second = startApp(dataDir);
    const url = await listening(second);

    expect((await login(url, email)).status).toBe(200);
    expect(second.output()).not.toMatch(/in use/);
    await stopCleanly(second);
  });

  it('when the process holding DATA_DIR still runs, then a second start is refused with a sentence naming its pid', async () => {
    const first = startApp(dataDir);
    await listening(first);

    const { code, output } = await refusal(startApp(dataDir));

    expect(code).toBe(1);
    expect(output).toContain(
      `The embedded database directory DATA_DIR=${dataDir} is in use by another process (pid ${first.pid}`,
    );
    expect(output).toContain('stop that Inkwell process, or set DATA_DIR to another directory.');
    await stopCleanly(first);
  });

  it('when the data files are overwritten with garbage, then the start fails with one sentence naming DATA_DIR and what to do', async () => {
    await stopCleanly(await started(startApp(dataDir)));
    for (const file of filesUnder(path.join(dataDir, 'global'))) {
      writeFileSync(file, randomBytes(Math.max(statSync(file).size, 1)));
    }
    for (const file of filesUnder(path.join(dataDir, 'pg_wal'))) {
      writeFileSync(file, randomBytes(statSync(file).size));
    }

    const { code, output } = await refusal(startApp(dataDir));

    expect(code).toBe(1);
    expect(output).toContain(
      `Inkwell failed to start: The embedded database in DATA_DIR=${dataDir} is damaged and cannot be opened: ` +
        `restore DATA_DIR from a backup, or move it away and delete ${dataDir}.inkwell.json to start with an empty database.`,
    );
    expect(output).not.toMatch(/Aborted|ASSERTIONS|at .+\.js:\d+/);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('when DATA_DIR of an existing database was emptied, then the start is refused until the marker is deleted', async () => {
    await stopCleanly(await started(startApp(dataDir)));
    const marker = `${dataDir}.inkwell.json`;
    expect(existsSync(marker)).toBe(true);
    for (const entry of readdirSync(dataDir)) {
      rmSync(path.join(dataDir, entry), { recursive: true });
    }

    const { code, output } = await refusal(startApp(dataDir));

    expect(code).toBe(1);
    expect(output).toMatch(
      new RegExp(
        `The embedded database in DATA_DIR=${escape(dataDir)} has no data files \\(no PG_VERSION\\), ` +
          `although a database was created there on \\S+ \\(recorded in ${escape(marker)}\\): ` +
          `restore DATA_DIR from a backup, or delete ${escape(marker)} to start with an empty database\\.`,
      ),
    );
    expect(readdirSync(dataDir)).toEqual([]); // nothing was created in it

    rmSync(marker);
    const fresh = startApp(dataDir);
    await listening(fresh);
    expect(existsSync(marker)).toBe(true);
    await stopCleanly(fresh);
  });

  async function started(app: WorkerProcess) {
    await listening(app);
    return app;
  }
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
