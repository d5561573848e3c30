import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * JSON lines, for machines; with `pretty` (development on a terminal), coloured lines for people.
 * Pretty-printing runs in this thread, so nothing is lost when the process exits right after.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const destination = options.pretty
    ? pretty({
        colorize: true,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      })
    : undefined;
  return pino(
    {
      level,
      base: { service: 'inkwell' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.current_password',
          '*.refresh_token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
