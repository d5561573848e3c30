/** PostgreSQL error codes (SQLSTATE) the repositories turn into domain answers. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

const sqlState = (error: unknown) => (error as { code?: unknown } | null)?.code;

export const isUniqueViolation = (error: unknown) => sqlState(error) === UNIQUE_VIOLATION;
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === FOREIGN_KEY_VIOLATION;

/** Socket errors of a peer that is down, unreachable or gone. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that cannot serve right now: connection exceptions (class 08), shutting
 * down or starting up (57P01–57P03), too many connections (53300), a statement cancelled by
 * `statement_timeout` (57014), a read-only server during a failover (25006).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300|57014|25006)$/;

/** What pg and knex say when a connection ended, never came, or stopped answering. */
const LOST_CONNECTION =
  /(Connection terminated|Query read timeout|timeout expired|Client has encountered a connection error|Client was closed|Connection ended unexpectedly)/;

/**
 * Whether a database error means "unavailable" (an outage, a restart, a saturated pool, a timeout)
 * rather than a fault of the request or of the code: such a request is answered 503, never 500.
 */
export function isUnavailable(error: unknown): boolean {
  // Duck-typed: errors raised by Node itself may come from another realm than this Error class.
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message, cause, errors } = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (name === 'KnexTimeoutError') return true;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) {
    return true;
  }
  if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  if (Array.isArray(errors) && errors.some(isUnavailable)) return true;
  return cause !== undefined && cause !== error && isUnavailable(cause);
}
