import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PostgreSQL server programs (initdb, pg_ctl), if installed: `pg_config --bindir`. */
function binDir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user. */
const asRoot = userInfo().uid === 0;

export const hasPostgresServer = (): boolean => {
  const bin = binDir();
  if (!bin) return false;
  try {
    execFileSync(path.join(bin, 'pg_ctl'), ['--version']);
    if (asRoot) execFileSync('id', ['postgres']);
    return true;
  } catch {
    return false;
  }
};

/**
 * A PostgreSQL cluster of this test's own (initdb in a temporary directory, on a loopback port of
 * its own, trust authentication), so a test can stop, restart or kill it without touching the
 * shared server. Only this object's cluster is ever stopped.
 */
export class OwnPostgres {
  private readonly dir: string;
  private readonly bin = binDir()!;

  constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'inkwell-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      chownSync(this.dir, uid, gid);
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private async tool(name: string, args: string[]): Promise<string> {
    const program = path.join(this.bin, name);
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
      : [program, args];
    const { stdout } = await run(file, argv, { cwd: this.dir });
    return stdout;
  }

  async init(): Promise<void> {
    await this.tool('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off`;
    await this.tool('pg_ctl', [
      '-D',
      this.data,
      '-o',
      options,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-t',
      '120',
      'start',
    ]);
  }

  /** `pg_ctl stop -m fast`: sessions are ended (57P01) and the server goes down. */
  async stop(): Promise<void> {
    await this.tool('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '120', 'stop']);
  }

  /** Stops the cluster if running and deletes its directory. */
  async destroy(): Promise<void> {
    try {
      await this.stop();
    } catch {
      // Not running.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
