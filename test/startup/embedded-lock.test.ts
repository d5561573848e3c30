import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';

describe('embedded database directory', () => {
  it('when a second process opens a data directory in use, then it is refused with a clear message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inkwell-lock-'));
    const first = await startEmbeddedPostgres(path.join(dir, 'pglite'));
    try {
      await expect(startEmbeddedPostgres(path.join(dir, 'pglite'))).rejects.toThrow(
        /in use by another process/,
      );
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
