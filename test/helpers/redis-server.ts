import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether a `redis-server` binary is on PATH. */
export const hasRedisServer = (): boolean => !spawnSync('redis-server', ['--version']).error;

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A throwaway redis-server of this test's own, without persistence, so a test can stop it and
 * start it again without touching the shared one.
 */
export class OwnRedisServer {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1'];
    args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const settle = (error?: Error) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.off('error', settle);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) settle();
      };
      const onExit = (code: number | null) =>
        settle(new Error(`redis-server exited with ${code}: ${output}`));
      const timer = setTimeout(
        () => settle(new Error(`redis-server did not start: ${output}`)),
        10_000,
      );
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', settle);
    });
    // Keep draining its output so it never blocks on a full pipe.
    child.stdout!.resume();
    child.stderr!.resume();
  }

  /** SIGSTOP: the server keeps its connections and data but answers nothing until resume(). */
  pause(): void {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGSTOP');
  }

  resume(): void {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGCONT');
  }

  /** Kills the process this object started (by its PID) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
}
