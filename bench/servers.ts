import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..');

export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
  /** Resident set size of each of its processes (the primary and its workers), in MB. */
  rssMb(): number[];
  stop(): Promise<void>;
}

/** Starts `node <args>` on `port` and waits (bounded) until `probe` answers 2xx. */
export async function startServer(
  name: string,
  args: string[],
  port: number,
  env: Record<string, string>,
  probe: string,
  timeoutMs = 180_000,
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server: Server = {
    name,
    port,
    child,
    rssMb: () => [child.pid!, ...childrenOf(child.pid!)].map(rssOf).filter((mb) => mb > 0),
    stop: () => stop(child),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}${probe}`)).ok) return server;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not start within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Cluster mode is up once the primary's workers all answer: wait for that many children. */
export async function waitForWorkers(server: Server, count: number, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (childrenOf(server.child.pid!).length < count) {
    if (Date.now() > deadline) throw new Error(`${server.name}: ${count} workers did not start`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return [];
  }
}

function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Samples the peak RSS per process of a server while `during` runs. */
export async function peakRss<T>(server: Server, during: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, ...server.rssMb(), 0));
  const timer = setInterval(sample, 500);
  try {
    const result = await during();
    sample();
    return [result, peak];
  } finally {
    clearInterval(timer);
  }
}
