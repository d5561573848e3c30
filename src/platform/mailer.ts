import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Stable per e-mail, so a receiver can spot a duplicate. */
  messageId: string;
}

export interface MailerSettings {
  /** `smtp://…` or `smtps://…`; unset writes messages to `outboxDir`. */
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Resolves once the SMTP server accepted the message (or it was written to the outbox). */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * nodemailer over SMTP; with no SMTP_URL, messages are written to OUTBOX_DIR as .eml files, each
 * with a .txt beside it: the body as written, to copy a link or a command from (the .eml body is
 * quoted-printable, which breaks long lines with `=`).
 */
export function createMailer(config: MailerSettings): Mailer {
  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl);
    const transport: Transporter = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      kind: 'smtp',
      async send(mail) {
        const info = await transport.sendMail({ from: config.from, ...mail });
        const rejected = (info.rejected ?? []) as unknown[];
        if (rejected.length > 0) throw new Error(`SMTP server rejected ${rejected.join(', ')}`);
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    kind: 'outbox',
    async send(mail) {
      const info = await transport.sendMail({ from: config.from, ...mail });
      // Mails hold tokens that take over accounts: owner-only, whatever the umask.
      mkdirSync(config.outboxDir, { recursive: true, mode: 0o700 });
      chmodSync(config.outboxDir, 0o700);
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^\w.-]/g, '_')}`;
      const write = (file: string, content: string | Buffer) =>
        writeFileSync(path.join(config.outboxDir, file), content, { mode: 0o600 });
      write(`${name}.eml`, info.message as Buffer);
      write(`${name}.txt`, `To: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`);
    },
    close: () => transport.close(),
  };
}
