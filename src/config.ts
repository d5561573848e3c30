import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEV_JWT_SECRET, weakSecret } from './config-secrets';
import { defaultPublicBaseUrl, withEnvFile } from './config-env-file';
import { parseTrustProxy, type TrustProxy } from './config-trust-proxy';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_CONCURRENCY: int(1, 256).optional(),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  HTTP_HEADERS_TIMEOUT_MS: int(100, 120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000).default(1_000),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  SHUTDOWN_DELAY_MS: int(0, 60_000).default(1_000),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_MAX: int(1, 100).optional(),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2_000),
  DATABASE_POOL_WAIT_MS: int(50, 60_000).default(2_500),
  DATABASE_QUERY_TIMEOUT_MS: int(100, 600_000).default(2_500),
  DATABASE_KEEPALIVE_MS: int(1_000, 600_000).default(10_000),
  DATA_DIR: z.string().min(1).default('./data/pglite'),
  MIGRATE_ON_START: bool.default(true),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  REDIS_COMMAND_TIMEOUT_MS: int(10, 10_000).default(250),
  CACHE_KEY_PREFIX: z.string().max(64).default('inkwell:'),
  CACHE_TTL_SECONDS: int(1, 86_400).default(300),
  ENTITY_CACHE_ENABLED: bool.default(true),
  SESSION_CACHE_TTL_SECONDS: int(1, 3_600).default(60),
  JWT_SECRET: z.string().optional(),
  JWT_PREVIOUS_SECRETS: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('inkwell'),
  JWT_AUDIENCE: z.string().min(1).default('inkwell-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: int(60, 365 * 86_400).default(30 * 86_400),
  BCRYPT_COST: int(4, 15).default(12),
  BCRYPT_MAX_CONCURRENT: int(1, 64).default(Math.max(1, availableParallelism() - 1)),
  BCRYPT_MAX_QUEUED: int(0, 10_000).default(8),
  BCRYPT_MAX_PER_CLIENT: int(1, 10_000).default(2),
  LOGIN_MAX_FAILURES: int(1, 1000).default(5),
  LOGIN_LOCKOUT_SECONDS: int(1, 86_400).default(900),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(1, 1_000_000).default(50),
  CURRENT_PASSWORD_MAX_FAILURES: int(1, 1000).default(5),
  SIGNUP_MAX_PER_ADDRESS: int(1, 1_000_000).default(20),
  SIGNUP_WINDOW_SECONDS: int(1, 86_400).default(3600),
  PASSWORD_RESET_MAX_REQUESTS: int(1, 1000).default(3),
  PASSWORD_RESET_MAX_REQUESTS_PER_ADDRESS: int(1, 1_000_000).default(20),
  PASSWORD_RESET_MAX_FAILURES_PER_ADDRESS: int(1, 1_000_000).default(10),
  PASSWORD_RESET_WINDOW_SECONDS: int(1, 86_400).default(900),
  PASSWORD_RESET_TOKEN_TTL_SECONDS: int(60, 86_400).default(1800),
  EMAIL_VERIFICATION_TOKEN_TTL_SECONDS: int(60, 30 * 86_400).default(2 * 86_400),
  PUBLIC_BASE_URL: z.url().optional(),
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  MAIL_FROM: z.string().min(3).default('Inkwell <no-reply@inkwell.localhost>'),
  OUTBOX_DIR: z.string().min(1).default('./data/outbox'),
  OUTBOX_IN_PRODUCTION: bool.default(false),
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(16).optional(),
  WORKER_IN_PROCESS: bool.default(true),
  JOB_LOCK_LIFETIME_MS: int(1_000, 3_600_000).default(60_000),
  JOB_POLL_INTERVAL_MS: int(50, 60_000).default(1_000),
  JOB_MAX_ATTEMPTS: int(1, 20).default(3),
  JOB_BACKOFF_BASE_MS: int(10, 3_600_000).default(5_000),
  EMAIL_CONCURRENCY: int(1, 100).default(5),
  EXPORT_BATCH_SIZE: int(10, 10_000).default(1_000),
  EXPORT_RESULT_TTL_SECONDS: int(1, 365 * 86_400).default(86_400),
  EXPORT_DAILY_QUOTA: int(1, 1_000).default(5),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['http', 'https']),
  OTEL_SERVICE_NAME: z.string().min(1).max(128).optional(),
});

export type Config = Readonly<{
  env: 'development' | 'test' | 'production';
  http: {
    host: string;
    port: number;
    trustProxy: TrustProxy;
    bodyLimitBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
  };
  /** API processes: 1, or more in cluster mode (a primary that forks and supervises them). */
  processes: number;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long new connections are still taken (with /readyz saying 503). */
  shutdownDelayMs: number;
  /**
   * Where /metrics is served: on a listener of its own, on the API port behind a bearer token,
   * on the API port openly (not in production), or not at all.
   */
  metrics:
    | { where: 'own-port'; host: string; port: number; token: string | undefined }
    | { where: 'api'; token: string | undefined }
    | { where: 'nowhere' };
  database:
    | {
        kind: 'postgres';
        url: string;
        poolMax: number;
        migrateOnStart: boolean;
        timeouts: {
          connectMs: number;
          poolWaitMs: number;
          queryMs: number;
          keepAliveMs: number;
        };
      }
    | {
        kind: 'embedded';
        dataDir: string;
        migrateOnStart: boolean;
        /** A snapshot to start an in-memory (`memory://`) database from; test runs share one. */
        snapshot?: string;
      };
  cache:
    | {
        kind: 'redis';
        url: string;
        commandTimeoutMs: number;
        keyPrefix: string;
        ttlSeconds: number;
        entities: boolean;
      }
    | { kind: 'memory'; keyPrefix: string; ttlSeconds: number; entities: boolean };
  sessionCacheTtlSeconds: number;
  /**
   * OpenTelemetry traces, sent over OTLP/HTTP when an endpoint is set; off (no SDK loaded) when
   * not. `serviceName` unset: each process entry names itself.
   */
  tracing: { endpoint: string; serviceName: string | undefined } | undefined;
  publicBaseUrl: string;
  mail: { smtpUrl: string | undefined; from: string; outboxDir: string };
  jobs: {
    workerInProcess: boolean;
    lockLifetimeMs: number;
    pollIntervalMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    emailConcurrency: number;
  };
  exports: {
    /** Posts read and written per chunk. */
    batchSize: number;
    /** How long a finished export's result is kept; then the job and its chunks are deleted. */
    resultTtlSeconds: number;
    /** Exports one user may ask for in any 24 hours. */
    dailyQuota: number;
  };
  auth: {
    jwtSecret: string;
    /** Retired secrets whose tokens still verify (key rotation). */
    jwtPreviousSecrets: string[];
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    bcryptCost: number;
    /** Hashes at once per process, hashes waiting, and hashes one client may hold. */
    bcrypt: { maxConcurrent: number; maxQueued: number; maxPerClient: number };
    limits: {
      loginFailuresPerAccount: Limit;
      loginFailuresPerAddress: Limit;
      currentPasswordFailures: Limit;
      signUpsPerAddress: Limit;
      resetRequestsPerAccount: Limit;
      resetRequestsPerAddress: Limit;
      resetFailuresPerAddress: Limit;
    };
    passwordResetTokenTtlSeconds: number;
    emailVerificationTokenTtlSeconds: number;
  };
}>;

/** At most `max` attempts per key in any window of `windowSeconds`. */
export interface Limit {
  max: number;
  windowSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment once; nothing else reads process.env. By default that is
 * the process's environment over the variables of `.env`, when the working directory has one.
 */
export function loadConfig(
  env: Record<string, string | undefined> = withEnvFile(process.env),
): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(blankless);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const jwtSecret = resolveJwtSecret(e.NODE_ENV, e.JWT_SECRET);
  const jwtPreviousSecrets = (e.JWT_PREVIOUS_SECRETS ?? '').split(',').filter(Boolean);
  if (e.NODE_ENV === 'production') {
    const weak = jwtPreviousSecrets.map(weakSecret).filter(Boolean);
    if (weak.length) throw new ConfigError([`JWT_PREVIOUS_SECRETS: one ${weak[0]}`]);
  }
  const trustProxy = parseTrustProxy(e.TRUST_PROXY, e.NODE_ENV);
  if (typeof trustProxy === 'string') throw new ConfigError([`TRUST_PROXY: ${trustProxy}`]);
  if (e.NODE_ENV === 'production' && !e.SMTP_URL && !e.OUTBOX_IN_PRODUCTION) {
    throw new ConfigError([
      'SMTP_URL: required when NODE_ENV=production (mails carry account tokens); ' +
        'set OUTBOX_IN_PRODUCTION=true to write them to OUTBOX_DIR instead',
    ]);
  }
  const processes = resolveProcesses(e);
  const login = e.LOGIN_LOCKOUT_SECONDS;
  const reset = e.PASSWORD_RESET_WINDOW_SECONDS;
  return deepFreeze({
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      trustProxy: trustProxy.value,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      // A request's whole time covers its head: never shorter than the head's own deadline.
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    processes,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: Math.min(e.SHUTDOWN_DELAY_MS, e.SHUTDOWN_TIMEOUT_MS / 2),
    metrics: metricsPlace(e.NODE_ENV, e.METRICS_PORT, e.METRICS_HOST, e.METRICS_TOKEN),
    database: e.DATABASE_URL
      ? {
          kind: 'postgres' as const,
          url: e.DATABASE_URL,
          poolMax: e.DATABASE_POOL_MAX ?? defaultPoolMax(processes),
          migrateOnStart: e.MIGRATE_ON_START,
          timeouts: {
            connectMs: e.DATABASE_CONNECT_TIMEOUT_MS,
            poolWaitMs: e.DATABASE_POOL_WAIT_MS,
            queryMs: e.DATABASE_QUERY_TIMEOUT_MS,
            keepAliveMs: e.DATABASE_KEEPALIVE_MS,
          },
        }
      : { kind: 'embedded' as const, dataDir: e.DATA_DIR, migrateOnStart: true },
    cache: e.REDIS_URL
      ? {
          kind: 'redis' as const,
          url: e.REDIS_URL,
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
          keyPrefix: e.CACHE_KEY_PREFIX,
          ttlSeconds: e.CACHE_TTL_SECONDS,
          entities: e.ENTITY_CACHE_ENABLED,
        }
      : {
          kind: 'memory' as const,
          keyPrefix: e.CACHE_KEY_PREFIX,
          ttlSeconds: e.CACHE_TTL_SECONDS,
          entities: e.ENTITY_CACHE_ENABLED,
        },
    sessionCacheTtlSeconds: e.SESSION_CACHE_TTL_SECONDS,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }
      : undefined,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? defaultPublicBaseUrl(e.HOST, e.PORT)).replace(/\/+$/, ''),
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, outboxDir: e.OUTBOX_DIR },
    jobs: {
      workerInProcess: e.WORKER_IN_PROCESS,
      lockLifetimeMs: e.JOB_LOCK_LIFETIME_MS,
      pollIntervalMs: e.JOB_POLL_INTERVAL_MS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      backoffBaseMs: e.JOB_BACKOFF_BASE_MS,
      emailConcurrency: e.EMAIL_CONCURRENCY,
    },
    exports: {
      batchSize: e.EXPORT_BATCH_SIZE,
      resultTtlSeconds: e.EXPORT_RESULT_TTL_SECONDS,
      dailyQuota: e.EXPORT_DAILY_QUOTA,
    },
    auth: {
      jwtSecret,
      jwtPreviousSecrets,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
      bcryptCost: e.BCRYPT_COST,
      bcrypt: {
        maxConcurrent: e.BCRYPT_MAX_CONCURRENT,
        maxQueued: e.BCRYPT_MAX_QUEUED,
        maxPerClient: e.BCRYPT_MAX_PER_CLIENT,
      },
      limits: {
        loginFailuresPerAccount: { max: e.LOGIN_MAX_FAILURES, windowSeconds: login },
        loginFailuresPerAddress: { max: e.LOGIN_MAX_FAILURES_PER_ADDRESS, windowSeconds: login },
        currentPasswordFailures: { max: e.CURRENT_PASSWORD_MAX_FAILURES, windowSeconds: login },
        signUpsPerAddress: {
          max: e.SIGNUP_MAX_PER_ADDRESS,
          windowSeconds: e.SIGNUP_WINDOW_SECONDS,
        },
        resetRequestsPerAccount: { max: e.PASSWORD_RESET_MAX_REQUESTS, windowSeconds: reset },
        resetRequestsPerAddress: {
          max: e.PASSWORD_RESET_MAX_REQUESTS_PER_ADDRESS,
          windowSeconds: reset,
        },
        resetFailuresPerAddress: {
          max: e.PASSWORD_RESET_MAX_FAILURES_PER_ADDRESS,
          windowSeconds: reset,
        },
      },
      passwordResetTokenTtlSeconds: e.PASSWORD_RESET_TOKEN_TTL_SECONDS,
      emailVerificationTokenTtlSeconds: e.EMAIL_VERIFICATION_TOKEN_TTL_SECONDS,
    },
  });
}

function metricsPlace(
  env: Config['env'],
  port: number | undefined,
  host: string,
  token: string | undefined,
): Config['metrics'] {
  if (port !== undefined) return { where: 'own-port', host, port, token };
  if (token !== undefined || env !== 'production') return { where: 'api', token };
  return { where: 'nowhere' };
}

/**
 * Connections per API process when DATABASE_POOL_MAX is unset: 20 across the processes, at most 10
 * and at least 2 each. Reads are CPU work on the server (a 2-core PostgreSQL is busy with about 4 of
 * them at once), but each commit waits for its WAL flush, and commits only share flushes when many
 * are in flight: inserts need 10 to 20 connections in total to pass a few thousand a second.
 * Ten per process with one process per core would pass PostgreSQL's default max_connections (100)
 * from 8 cores on, counting the job runtime's connections.
 */
function defaultPoolMax(processes: number): number {
  return Math.min(10, Math.max(2, Math.ceil(20 / processes)));
}

/**
 * One API process per core in production on PostgreSQL and Redis; one otherwise. Several processes
 * need both: the embedded database belongs to one process, and an in-process cache would let each
 * process serve what another one has just changed.
 */
function resolveProcesses(e: z.infer<typeof schema>): number {
  const shared = Boolean(e.DATABASE_URL && e.REDIS_URL);
  if (e.WEB_CONCURRENCY === undefined) {
    return e.NODE_ENV === 'production' && shared ? availableParallelism() : 1;
  }
  if (e.WEB_CONCURRENCY > 1 && !shared) {
    throw new ConfigError([
      'WEB_CONCURRENCY: more than one API process needs DATABASE_URL and REDIS_URL (the embedded database and the in-process cache belong to one process)',
    ]);
  }
  return e.WEB_CONCURRENCY;
}

function resolveJwtSecret(env: Config['env'], secret: string | undefined): string {
  if (env !== 'production') return secret ?? DEV_JWT_SECRET;
  if (!secret) throw new ConfigError(['JWT_SECRET: required when NODE_ENV=production']);
  const weak = weakSecret(secret);
  if (weak) {
    throw new ConfigError([
      `JWT_SECRET: ${weak} when NODE_ENV=production; generate one (openssl rand -base64 48)`,
    ]);
  }
  return secret;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
