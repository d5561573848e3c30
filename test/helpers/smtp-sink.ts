import type { AddressInfo } from 'node:net';
import { PATIENCE_MS } from './eventually';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  receivedAt: number;
}

/** One DATA command: when it came, for whom, and how the sink answered. */
export interface DeliveryAttempt {
  to: string[];
  at: number;
  responseCode: 250 | 451 | 550;
}

interface Rejection {
  responseCode: 451 | 550;
  recipient?: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  attempts: DeliveryAttempt[];
  mailsTo(address: string): ReceivedMail[];
  attemptsFor(address: string): DeliveryAttempt[];
  /** Resolves with the first accepted message that matches, received before or after the call. */
  waitForMail(
    predicate: (mail: ReceivedMail) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedMail>;
  /** Resolves once `count` deliveries were attempted for the address (accepted or not). */
  waitForAttempts(address: string, count: number, timeoutMs?: number): Promise<DeliveryAttempt[]>;
  /**
   * Answers DATA with this code instead of 250: 451 (try again later) or 550 (refused for good),
   * for every message or only those for one recipient. `accept()` undoes it.
   */
  reject(responseCode: 451 | 550, recipient?: string): void;
  accept(recipient?: string): void;
  /**
   * Runs `hook` once, on the next message accepted: after it was received and parsed, before the
   * 250 is answered (the message counts as received once the 250 went out).
   */
  beforeNextAccept(hook: (mail: ReceivedMail) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server of the test's own on loopback (no auth required, no STARTTLS), which parses
 * every message it accepts. Close it in afterAll.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const attempts: DeliveryAttempt[] = [];
  const rejections: Rejection[] = [];
  const listeners = new Set<() => void>();
  let nextAcceptHook: ((mail: ReceivedMail) => Promise<void>) | undefined;
  const notify = () => listeners.forEach((listener) => listener());

  const recipientsOf = (session: SMTPServerSession) =>
    session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
  const rejectionFor = (to: string[]) =>
    rejections.find((rule) => rule.recipient === undefined || to.includes(rule.recipient));

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      const to = recipientsOf(session);
      const at = Date.now();
      const rule = rejectionFor(to);
      if (rule) {
        stream.resume();
        stream.once('end', () => {
          attempts.push({ to, at, responseCode: rule.responseCode });
          notify();
          const error = Object.assign(
            new Error(rule.responseCode === 451 ? 'Try again later' : 'Mailbox unavailable'),
            { responseCode: rule.responseCode },
          );
          callback(error);
        });
        return;
      }
      simpleParser(stream)
        .then(async (parsed) => {
          const mail = {
            to,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? '',
            receivedAt: Date.now(),
          };
          const hook = nextAcceptHook;
          nextAcceptHook = undefined;
          await hook?.(mail);
          messages.push(mail);
          attempts.push({ to, at, responseCode: 250 });
          callback();
          notify();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: () => string) {
    return new Promise<T>((resolve, reject) => {
      const listener = () => {
        const found = check();
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(found);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`SMTP sink: timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  }

  const mailsTo = (address: string) =>
    messages.filter((mail) => mail.to.includes(address.toLowerCase()));
  const attemptsFor = (address: string) =>
    attempts.filter((attempt) => attempt.to.includes(address.toLowerCase()));

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attempts,
    mailsTo,
    attemptsFor,
    waitForMail(predicate, timeoutMs = PATIENCE_MS) {
      return waitUntil(
        () => messages.find(predicate),
        timeoutMs,
        () =>
          `a matching message; received: ${JSON.stringify(messages.map(({ to, subject }) => ({ to, subject })))}`,
      );
    },
    waitForAttempts(address, count, timeoutMs = PATIENCE_MS) {
      return waitUntil(
        () => {
          const seen = attemptsFor(address);
          return seen.length >= count ? seen : undefined;
        },
        timeoutMs,
        () => `${count} attempts for ${address}; saw ${attemptsFor(address).length}`,
      );
    },
    reject(responseCode, recipient) {
      rejections.push({ responseCode, recipient: recipient?.toLowerCase() });
    },
    accept(recipient) {
      const target = recipient?.toLowerCase();
      for (let i = rejections.length - 1; i >= 0; i--) {
        if (target === undefined || rejections[i]?.recipient === target) rejections.splice(i, 1);
      }
    },
    beforeNextAccept(hook) {
      nextAcceptHook = hook;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
