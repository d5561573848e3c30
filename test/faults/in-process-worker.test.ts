import { spawnApi, type ApiProcess } from '../helpers/api-process';
import { describeIf, services } from '../helpers/describe-if';
import { eventually } from '../helpers/eventually';
import { signUp } from '../helpers/factories';
import { isolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-database';
import { proxyInFrontOf, type TcpProxy } from '../helpers/tcp-proxy';
import { buildOnce, exitWithin, killWorkers } from '../helpers/worker-process';

describeIf(services.postgres, 'needs PostgreSQL (DATABASE_URL): a proxy stands in front of it')(
  'the API with its in-process job worker, PostgreSQL behind a proxy',
  () => {
    let database: IsolatedDatabase;
    let proxy: TcpProxy;
    let env: Record<string, string>;

    beforeAll(async () => {
      await buildOnce();
      database = await isolatedDatabase('term_outage');
      let url: string;
      ({ proxy, url } = await proxyInFrontOf(database.env.DATABASE_URL!));
      env = {
        ...database.env,
        DATABASE_URL: url,
        // The default: the job worker runs in the API process, its runtime on the same database.
        WORKER_IN_PROCESS: 'true',
        SHUTDOWN_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'info',
      };
    });

    afterAll(async () => {
      await killWorkers();
      await proxy?.close();
      await database?.drop();
    });

    it("when a proxy resets every connection, the job runtime's LISTEN connection included, then the process lives on and serves", async () => {
      const api: ApiProcess = await spawnApi(env);
      const account = await signUp(api.http);
      for (let round = 0; round < 3; round++) {
        proxy.resetAll();
        await eventually(
          async () =>
            (await api.http.get('/api/v1/users/me').set(account.auth)).status === 200
              ? true
              : undefined,
          'answers after the reset',
        );
      }
      // Enqueueing still works: a sign-up, which enqueues its welcome e-mail, succeeds.
      await signUp(api.http);
      expect(api.process.exit).toBeUndefined();
      api.process.kill('SIGTERM');
      expect(await exitWithin(api.process, 60_000)).toMatchObject({ code: 0 });
    });

    it.each(['refuse', 'blackhole'] as const)(
      'when PostgreSQL is at fault (%s) and SIGTERM arrives, then the process still drains and exits 0',
      async (mode) => {
        const api: ApiProcess = await spawnApi(env);
        await signUp(api.http);
        await proxy.set(mode);
        const during = api.http.get('/api/v1/users').set('Authorization', 'Bearer x');
        api.process.kill('SIGTERM');
        await during.catch(() => undefined);
        const exit = await exitWithin(api.process, 60_000);
        console.log(`SIGTERM, PostgreSQL ${mode}: exit ${exit.code}`);
        if (exit.code !== 0 || process.env.SHOW_LOG) console.log(api.process.output());
        expect(exit).toMatchObject({ code: 0, signal: null });
        await proxy.set('pass');
      },
    );
  },
);
