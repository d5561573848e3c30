import { isolatedDatabase, type IsolatedDatabase } from './isolated-database';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app';

export interface SmtpTestApp {
  db: IsolatedDatabase;
  sink: SmtpSink;
  t: TestApp;
}

/**
 * A test app with a database of its own that sends e-mail to a real SMTP listener and runs the
 * task worker in process. `env` adds to or overrides the settings below.
 */
export async function startSmtpTestApp(
  label: string,
  env: Record<string, string> = {},
  options: Omit<TestAppOptions, 'worker'> = {},
): Promise<SmtpTestApp> {
  const [db, sink] = await Promise.all([isolatedDatabase(label), startSmtpSink()]);
  try {
    const settings = {
      ...db.env,
      SMTP_URL: sink.url,
      JOB_POLL_INTERVAL_MS: '100',
      // Far longer than one attempt takes on a busy machine: an expired lock starts a second run.
      JOB_LOCK_LIFETIME_MS: '10000',
      ...env,
    };
    return { db, sink, t: await startTestApp(settings, { ...options, worker: true }) };
  } catch (error) {
    await stopSmtpTestApp({ db, sink });
    throw error;
  }
}

/** Stops whatever of an SMTP test app was started. */
export async function stopSmtpTestApp(app: Partial<SmtpTestApp>): Promise<void> {
  await app.t?.close();
  await app.sink?.close();
  await app.db?.drop();
}
