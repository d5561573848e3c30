import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from '../../src/config';

const STRONG = randomBytes(48).toString('base64');

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: STRONG,
  SMTP_URL: 'smtp://mail:587',
};

describe('loadConfig', () => {
  it('when nothing is set, then it chooses the embedded database and the in-process cache', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('embedded');
    expect(config.cache.kind).toBe('memory');
    expect(config.http.bodyLimitBytes).toBe(1024 * 1024);
    expect(Object.isFrozen(config.auth)).toBe(true);
  });

  it('when both URLs are set, then it uses PostgreSQL and Redis', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/inkwell',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://db/inkwell' });
    expect(config.cache).toMatchObject({ kind: 'redis', url: 'redis://cache:6379' });
  });

  describe('WEB_CONCURRENCY', () => {
    const shared = { DATABASE_URL: 'postgres://db/inkwell', REDIS_URL: 'redis://cache:6379' };
    const production = PRODUCTION;

    it('when unset in production on PostgreSQL and Redis, then one API process per core', () => {
      const config = loadConfig({ ...production, ...shared });
      expect(config.processes).toBe(availableParallelism());
    });

    it('when unset in development or on the embedded default, then one API process', () => {
      expect(loadConfig(shared).processes).toBe(1);
      expect(loadConfig(production).processes).toBe(1);
    });

    it('when above 1 without PostgreSQL and Redis, then startup is refused naming it', () => {
      expect(() => loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: shared.DATABASE_URL })).toThrow(
        expect.objectContaining({ issues: [expect.stringContaining('WEB_CONCURRENCY')] }),
      );
      expect(loadConfig({ ...shared, WEB_CONCURRENCY: '3' }).processes).toBe(3);
    });
  });

  describe('DATABASE_POOL_MAX', () => {
    const shared = { DATABASE_URL: 'postgres://db/inkwell', REDIS_URL: 'redis://cache:6379' };
    const poolMax = (env: Record<string, string>) => {
      const { database } = loadConfig({ ...shared, ...env });
      return database.kind === 'postgres' ? database.poolMax : undefined;
    };

    it('when unset, then 20 connections are shared by the API processes, 2 to 10 each', () => {
      expect(poolMax({ WEB_CONCURRENCY: '1' })).toBe(10);
      expect(poolMax({ WEB_CONCURRENCY: '2' })).toBe(10);
      expect(poolMax({ WEB_CONCURRENCY: '4' })).toBe(5);
      expect(poolMax({ WEB_CONCURRENCY: '8' })).toBe(3);
      expect(poolMax({ WEB_CONCURRENCY: '32' })).toBe(2);
    });

    it('when set, then every process has that many whatever their number', () => {
      expect(poolMax({ WEB_CONCURRENCY: '8', DATABASE_POOL_MAX: '7' })).toBe(7);
    });
  });

  describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    it('when unset, then tracing is off', () => {
      expect(loadConfig({}).tracing).toBeUndefined();
    });

    it('when set, then traces go there, under OTEL_SERVICE_NAME when that is set', () => {
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }).tracing).toEqual({
        endpoint: 'http://jaeger:4318',
        serviceName: undefined,
      });
      expect(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example',
          OTEL_SERVICE_NAME: 'ink',
        }).tracing,
      ).toEqual({ endpoint: 'https://otel.example', serviceName: 'ink' });
    });

    it('when it is not an http(s) URL, then startup is refused naming it', () => {
      expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4317' })).toThrow(
        /OTEL_EXPORTER_OTLP_ENDPOINT: must start with http:\/\/ or https:\/\//,
      );
    });
  });

  it('when values are malformed, then it names every bad variable at once', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BCRYPT_COST: '40' }),
    ).toThrow(
      expect.objectContaining({
        issues: expect.arrayContaining([
          expect.stringContaining('PORT'),
          expect.stringContaining('DATABASE_URL'),
          expect.stringContaining('BCRYPT_COST'),
        ]),
      }),
    );
  });

  it.each([
    ['missing', undefined],
    ['a placeholder', 'changeme'],
    ['the development default', 'inkwell-development-secret-not-for-production-use'],
    ['too short', 'short-secret'],
    ['32 spaces', ' '.repeat(32)],
    ['one letter 32 times', 'a'.repeat(32)],
    ['the development secret plus a space', 'inkwell-development-secret-not-for-production-use '],
    ['padded with whitespace', ` ${STRONG}`],
    ['a few characters repeated', 'abcabcabcabcabcabcabcabcabcabcabcabcabcabc'],
  ])('when NODE_ENV=production and JWT_SECRET is %s, then startup is refused', (_label, secret) => {
    const env = { NODE_ENV: 'production', ...(secret ? { JWT_SECRET: secret } : {}) };
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it('when NODE_ENV=production and JWT_SECRET is strong, then it is accepted', () => {
    expect(loadConfig(PRODUCTION).auth.jwtSecret).toBe(STRONG);
  });

  it.each([
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['10.0.0.0/8, 192.168.1.7, fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
    ['loopback', ['loopback']],
  ])('when TRUST_PROXY is %j, then express trusts %j', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).http.trustProxy).toEqual(expected);
  });

  it.each(['10.0.0.0/33', 'proxy.internal', '11', '10.0.0.0/8,,'])(
    'when TRUST_PROXY is the malformed %j, then startup is refused',
    (raw) => {
      expect(() => loadConfig({ TRUST_PROXY: raw })).toThrow(ConfigError);
    },
  );

  it('when NODE_ENV=production and TRUST_PROXY=true, then startup is refused', () => {
    const env = { ...PRODUCTION, TRUST_PROXY: 'true' };
    expect(() => loadConfig(env)).toThrow(/TRUST_PROXY/);
  });

  it('when NODE_ENV=production has no SMTP_URL, then startup is refused unless the outbox is chosen', () => {
    const { SMTP_URL: _smtp, ...withoutMail } = PRODUCTION;
    expect(() => loadConfig(withoutMail)).toThrow(/SMTP_URL/);
    const config = loadConfig({ ...withoutMail, OUTBOX_IN_PRODUCTION: 'true' });
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  it('when NODE_ENV=production and a previous JWT secret is weak, then startup is refused', () => {
    const previous = randomBytes(48).toString('base64');
    expect(loadConfig({ ...PRODUCTION, JWT_PREVIOUS_SECRETS: previous }).auth).toMatchObject({
      jwtPreviousSecrets: [previous],
    });
    const env = { ...PRODUCTION, JWT_PREVIOUS_SECRETS: `${previous},${'a'.repeat(40)}` };
    expect(() => loadConfig(env)).toThrow(/JWT_PREVIOUS_SECRETS/);
  });
});
