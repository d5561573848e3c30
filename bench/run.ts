import { execSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loginFloodScenario } from './login-flood';

/**
 * npm run bench: Inkwell against a bare Express baseline, measured in the same run on the same
 * machine. Uses DATABASE_URL / REDIS_URL when set, else the embedded default.
 */
const ROOT = path.join(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function main(): Promise<void> {
  execSync('npm run --silent build', { cwd: ROOT, stdio: 'inherit' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inkwell-bench-'));
  const baseline = await start(path.join(ROOT, 'bench/baseline-server.ts'), 3801, {}, [
    '--import',
    'tsx',
  ]);
  const api = await start(path.join(ROOT, 'dist/src/main.js'), 3802, {
    DATA_DIR: path.join(dataDir, 'pglite'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-production-use',
    BCRYPT_COST: '10',
    OUTBOX_IN_PRODUCTION: 'true',
    // The login flood comes from many addresses, as through a proxy; sign-ups here from one.
    TRUST_PROXY: '1',
    SIGNUP_MAX_PER_ADDRESS: '1000',
  });
  try {
    const auth = await signUp('http://127.0.0.1:3802');
    const rows: Row[] = [];
    rows.push(
      await run('baseline: bare Express, fixed JSON', 'http://127.0.0.1:3801/api/v1/users/1'),
    );
    rows.push(await run('GET /healthz (routing only)', 'http://127.0.0.1:3802/healthz'));
    rows.push(
      await run(
        'GET /api/v1/users/{id} (JWT + session check + cached user + ETag)',
        `http://127.0.0.1:3802/api/v1/users/${auth.id}`,
        auth.headers,
      ),
    );
    rows.push(
      await run(
        'GET /api/v1/users/me (JWT + session check + cached user)',
        'http://127.0.0.1:3802/api/v1/users/me',
        auth.headers,
      ),
    );
    rows.push(
      await run(
        'GET /api/v1/users?limit=20 (JWT + a page of 20 from SQL)',
        'http://127.0.0.1:3802/api/v1/users?limit=20',
        auth.headers,
      ),
    );
    rows.push(
      ...(await loginFloodScenario('http://127.0.0.1:3802', auth.headers, {
        connections: CONNECTIONS,
        duration: DURATION,
      })),
    );
    report(rows);
  } finally {
    baseline.kill('SIGTERM');
    api.kill('SIGTERM');
    await Promise.all([exited(baseline), exited(api)]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function start(
  file: string,
  port: number,
  env: Record<string, string>,
  execArgv: string[] = [],
): Promise<ChildProcess> {
  const child = fork(file, [], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    execArgv,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      try {
        const res = await fetch(
          `http://127.0.0.1:${port}${file.includes('baseline') ? '/api/v1/users/1' : '/readyz'}`,
        );
        if (res.ok) return resolve(child);
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline || child.exitCode !== null)
        return reject(new Error(`${file} did not start`));
      setTimeout(poll, 250);
    };
    void poll();
  });
}

async function signUp(base: string): Promise<{ id: number; headers: Record<string, string> }> {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'bench password 1';
  const created = await fetch(`${base}/api/v1/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'Bench' }),
  });
  const user = (await created.json()) as { id: number };
  for (let i = 0; i < 30; i++) {
    await fetch(`${base}/api/v1/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${Date.now()}-${i}@example.com`,
        password,
        name: `Bench ${i}`,
      }),
    });
  }
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: email, password }),
  });
  const tokens = (await login.json()) as { access_token: string };
  return { id: user.id, headers: { Authorization: `Bearer ${tokens.access_token}` } };
}

async function run(
  scenario: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Row> {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 }); // warm-up
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  return {
    scenario,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function report(rows: Row[]): void {
  const base = rows[0]?.rps ?? 1;
  const lines = [
    `autocannon: ${CONNECTIONS} connections, ${DURATION} s per scenario, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'} + ${process.env.REDIS_URL ? 'Redis' : 'in-process cache'}`,
    '',
    '| scenario | req/s | vs baseline | p50 ms | p99 ms | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.rps} | ${((r.rps / base) * 100).toFixed(0)}% | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
    ),
  ];
  console.log(lines.join('\n'));
  mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  writeFileSync(path.join(ROOT, 'reports/bench.md'), `${lines.join('\n')}\n`);
  if (rows.some((r) => r.errors > 0 || r.non2xx > 0)) process.exitCode = 1;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
