import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMailer } from '../../src/platform/mailer';

describe('the outbox (no SMTP_URL)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'inkwell-outbox-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when an e-mail with a long link and a command is sent, then a .txt beside the .eml has them as written', async () => {
    const token = 'a'.repeat(40) + '=b-c_d';
    const text = [
      'Confirm your address:',
      `http://127.0.0.1:4690/confirm?token=${token}`,
      `curl -s localhost:4690/api/v1/auth/verify-email -H 'Content-Type: application/json' -d '{"token":"${token}"}'`,
    ].join('\n');
    const mailer = createMailer({ smtpUrl: undefined, from: 'Inkwell <a@b.c>', outboxDir: dir });

    await mailer.send({ to: 'ada@example.com', subject: 'Welcome', text, messageId: '<m-1@x>' });
    mailer.close();

    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      expect.stringMatching(/_m-1_x_\.eml$/),
      expect.stringMatching(/_m-1_x_\.txt$/),
    ]);
    const plain = readFileSync(path.join(dir, files[1] ?? ''), 'utf8');
    expect(plain).toBe(`To: ada@example.com\nSubject: Welcome\n\n${text}`);
    expect(readFileSync(path.join(dir, files[0] ?? ''), 'utf8')).toContain('Subject: Welcome');
  });
});
