import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { createMailer } from '../../src/platform/mailer';

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** Every file and directory under `dir`, with its permission bits. */
function modesUnder(dir: string): Array<[string, number]> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const inner = path.join(dir, entry.name);
    const here: [string, number] = [inner, modeOf(inner)];
    return entry.isDirectory() ? [here, ...modesUnder(inner)] : [here];
  });
}

describe('files that hold secrets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'inkwell-perms-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when a mail goes to the outbox, then the outbox is 0700 and its files 0600', async () => {
    const outboxDir = path.join(dir, 'outbox');
    const mailer = createMailer({ smtpUrl: undefined, from: 'a@example.com', outboxDir });
    try {
      await mailer.send({
        to: 'b@example.com',
        subject: 'Reset',
        text: 'token',
        messageId: '<m1@example.com>',
      });
    } finally {
      mailer.close();
    }
    expect(modeOf(outboxDir)).toBe(0o700);
    // The raw message and its plain-text copy.
    const files = readdirSync(outboxDir).sort();
    expect(files.map((file) => path.extname(file))).toEqual(['.eml', '.txt']);
    for (const file of files) expect(modeOf(path.join(outboxDir, file))).toBe(0o600);
  });

  it('when the embedded database starts, then its data directory and files are owner-only', async () => {
    const dataDir = path.join(dir, 'pglite');
    // Left behind world-readable, as by an older version or another umask.
    mkdirSync(dataDir, { mode: 0o777 });
    writeFileSync(path.join(dataDir, 'left-behind'), 'x', { mode: 0o666 });
    const db = await startEmbeddedPostgres(dataDir);
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.join(dataDir, 'left-behind'))).toBe(0o600);
    } finally {
      await db.stop();
    }
    // Whatever the database created is reachable only through the owner-only directory.
    expect(modesUnder(dataDir).length).toBeGreaterThan(1);
    expect(modeOf(dataDir) & 0o077).toBe(0);
  }, 180_000);
});
