import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A record, beside the data directory (`<DATA_DIR>.inkwell.json`, like the `<DATA_DIR>.lock`),
 * that an embedded database was created there: a data directory that lost its files is then told
 * apart from a first start, and refused instead of silently started empty.
 */
export interface DataDirMarker {
  /** The marker's path. */
  file: string;
  /** When the database was created (or first seen by a version that keeps the marker). */
  createdAt: string | undefined;
}

/** PostgreSQL writes this file first when it creates a data directory, and never removes it. */
const VERSION_FILE = 'PG_VERSION';

export const markerFileOf = (dataDir: string) => `${path.resolve(dataDir)}.inkwell.json`;

/** Whether the data directory holds a PostgreSQL database (complete or not). */
export const hasDatabase = (dataDir: string) => existsSync(path.join(dataDir, VERSION_FILE));

export function readMarker(dataDir: string): DataDirMarker | undefined {
  const file = markerFileOf(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const { created_at: createdAt } = JSON.parse(readFileSync(file, 'utf8')) as {
      created_at?: unknown;
    };
    return { file, createdAt: typeof createdAt === 'string' ? createdAt : undefined };
  } catch {
    return { file, createdAt: undefined };
  }
}

/** Records that the database exists; an existing marker is kept as it is. */
export function writeMarker(dataDir: string, createdNow: boolean): void {
  const file = markerFileOf(dataDir);
  if (existsSync(file)) return;
  const record = {
    created_at: createdNow ? new Date().toISOString() : undefined,
    first_seen_at: new Date().toISOString(),
    data_dir: path.resolve(dataDir),
    note: 'Written by Inkwell when this embedded database was created. While it exists, Inkwell refuses to start on an emptied DATA_DIR; delete it to start with an empty database.',
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** The sentence for a data directory whose files are gone although the marker says it existed. */
export function emptiedDataDir(dataDir: string, marker: DataDirMarker): Error {
  const when = marker.createdAt ? ` on ${marker.createdAt}` : '';
  return new Error(
    `The embedded database in DATA_DIR=${path.resolve(dataDir)} has no data files (no ` +
      `${VERSION_FILE}), although a database was created there${when} (recorded in ` +
      `${marker.file}): restore DATA_DIR from a backup, or delete ${marker.file} to start with ` +
      'an empty database.',
  );
}

/** The sentence for a data directory PGlite cannot open. */
export function damagedDataDir(dataDir: string, cause: unknown): Error {
  const marker = markerFileOf(dataDir);
  return new Error(
    `The embedded database in DATA_DIR=${path.resolve(dataDir)} is damaged and cannot be ` +
      'opened: restore DATA_DIR from a backup, or move it away and delete ' +
      `${marker} to start with an empty database.`,
    { cause },
  );
}
