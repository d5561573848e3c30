import fs, { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** Who holds a data directory's lock: written inside the lock directory once it is taken. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

const HOLDER_FILE = 'holder.json';
/** A lock whose holder stopped refreshing it (on another host, say) is taken over after this. */
const STALE_MS = 15_000;
/** Lock directories this process holds: a second open in the same process is refused. */
const held = new Set<string>();

// The lock is a directory (made atomically by mkdir); the holder file inside it must go with it.
const lockFs = {
  ...fs,
  rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
    fs.rm(dir, { recursive: true, force: true }, callback),
};

/**
 * Locks `dataDir` for this process. A lock left by a process that no longer runs on this host is
 * taken over at once (its pid is recorded in the lock); a live holder is refused with a sentence
 * naming it. Resolves with the function that releases the lock.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  try {
    return await acquire(dataDir, lockPath);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ELOCKED') throw unlockable(dataDir, error);
    const holder = readHolder(lockPath);
    if (!holder || !isGone(holder, lockPath)) throw refused(dataDir, inUse(holder), error);
    rmSync(lockPath, { recursive: true, force: true });
    try {
      return await acquire(dataDir, lockPath);
    } catch (again) {
      if ((again as { code?: string }).code !== 'ELOCKED') throw unlockable(dataDir, again);
      throw refused(dataDir, inUse(readHolder(lockPath)), again);
    }
  }
}

async function acquire(dataDir: string, lockPath: string): Promise<() => Promise<void>> {
  const release = await lockfile.lock(dataDir, {
    stale: STALE_MS,
    update: STALE_MS / 3,
    realpath: false,
    lockfilePath: lockPath,
    fs: lockFs,
  });
  const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  // The library tells its lock from a taken-over one by the directory's mtime, which a new file
  // in it changes: put the mtime back.
  const { mtime } = statSync(lockPath);
  writeFileSync(path.join(lockPath, HOLDER_FILE), JSON.stringify(holder), { mode: 0o600 });
  utimesSync(lockPath, mtime, mtime);
  held.add(lockPath);
  return async () => {
    held.delete(lockPath);
    await release();
  };
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path.join(lockPath, HOLDER_FILE), 'utf8')) as Holder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    // No holder file yet (it is written just after the lock is taken) or an unreadable one.
    return undefined;
  }
}

/**
 * Whether the holder no longer runs. Only a holder on this host can be checked; the same pid as
 * ours is an earlier run of this process (a container restarted with the same pid), unless this
 * process holds the lock itself.
 */
function isGone(holder: Holder, lockPath: string): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !held.has(lockPath);
  return !isRunning(holder.pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet is a zombie: it holds nothing any more.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function inUse(holder: Holder | undefined): string {
  if (!holder) return 'is in use by another process';
  const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
  return `is in use by another process (pid ${holder.pid}${where}, since ${holder.since})`;
}

function unlockable(dataDir: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `The embedded database directory DATA_DIR=${path.resolve(dataDir)} cannot be locked ` +
      `(${reason}): check that its parent directory is writable by this user.`,
    { cause },
  );
}

function refused(dataDir: string, reason: string, cause: unknown): Error {
  return new Error(
    `The embedded database directory DATA_DIR=${path.resolve(dataDir)} ${reason}: ` +
      'stop that Inkwell process, or set DATA_DIR to another directory.',
    { cause },
  );
}
