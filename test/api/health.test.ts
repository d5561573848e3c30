import { startTestApp, type TestApp } from '../helpers/test-app';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when the process runs, then GET /healthz answers 200', async () => {
    const res = await t.http.get('/healthz').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('when the database answers, then GET /readyz reports every check up', async () => {
    const res = await t.http.get('/readyz').expect(200);
    expect(res.body.checks.database.status).toBe('up');
    expect(res.body.checks.cache.status).toBe('up');
  });
});

describe('readiness without a database', () => {
  it('when the database is gone, then GET /readyz answers 503 with Retry-After and says which check failed', async () => {
    const t = await startTestApp();
    try {
      await t.container.database.knex.destroy();
      const res = await t.http.get('/readyz').expect(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body).toMatchObject({
        status: 'unavailable',
        checks: { database: { status: 'down' } },
      });
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
