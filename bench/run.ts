import { execSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { HEAP_FLAGS } from '../src/platform/heap';
import { drive, hasWrk, type Load, type LoadResult } from './load';
import { loginFlood } from './login-flood';
import { svgChart, table, targetList, type Row, type Target } from './report';
import { peakRss, ROOT, startServer, waitForWorkers, type Server } from './servers';

/**
 * npm run bench: Inkwell side by side with a bare node:http ceiling and a bare express baseline,
 * at one process and in cluster mode, in one run on this machine. DATABASE_URL and REDIS_URL as
 * set (cluster mode needs both; without them only the one-process rows run, on the embedded
 * default). Results: a table, docs/benchmark/bench.json and docs/benchmark/bench.svg.
 */
const SECONDS = Number(process.env.BENCH_DURATION ?? 8);
// Long enough for V8 to optimise a freshly started process's hot path (2 s left cluster mode's
// first scenario after a restart measuring the JIT's warm-up in its p99).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const TOOL = process.env.BENCH_TOOL === 'autocannon' || !hasWrk() ? 'autocannon' : 'wrk';
const CORES = availableParallelism();
const SHARED = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const DEADLINE = Date.now() + Number(process.env.BENCH_TIMEOUT_SECONDS ?? 1200) * 1000;
const OUT = path.join(ROOT, 'docs/benchmark');
const PASSWORD = 'bench password 1';

const modes = [
  { label: '1 process', processes: 1 },
  ...(SHARED ? [{ label: `cluster ×${CORES}`, processes: CORES }] : []),
];
const runsPerMode = 6;
const totalRuns = 2 + modes.length * runsPerMode;
let done = 0;
const startedAt = Date.now();

function progress(what: string): void {
  if (Date.now() > DEADLINE) throw new Error('the benchmark ran over BENCH_TIMEOUT_SECONDS');
  const elapsed = Math.round((Date.now() - startedAt) / 1000);
  const left = (totalRuns - done) * (SECONDS + WARMUP + 1);
  console.log(`[${++done}/${totalRuns}] ${what}  (${elapsed} s elapsed, ~${left} s of load left)`);
}

async function measure(server: Server, load: Load): Promise<LoadResult & { rssMb: number }> {
  await drive({ ...load, seconds: WARMUP }, TOOL);
  const [result, rssMb] = await peakRss(server, () => drive({ ...load, seconds: SECONDS }, TOOL));
  return { ...result, rssMb };
}

interface Seed {
  userId: number;
  postId: number;
  email: string;
  auth: Record<string, string>;
}

async function seed(base: string): Promise<Seed> {
  const email = `bench-${Date.now()}@example.com`;
  const json = { 'Content-Type': 'application/json' };
  const user = (await (
    await fetch(`${base}/api/v1/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: PASSWORD, name: 'Bench' }),
    })
  ).json()) as { id: number };
  const tokens = (await (
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: email, password: PASSWORD }),
    })
  ).json()) as { access_token: string };
  const auth = { Authorization: `Bearer ${tokens.access_token}` };
  let postId = 0;
  for (let i = 0; i < 25; i++) {
    const post = (await (
      await fetch(`${base}/api/v1/posts`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: JSON.stringify({ title: `Bench post ${i}`, body: 'Some words. '.repeat(20) }),
      })
    ).json()) as { id: number };
    postId = post.id;
  }
  return { userId: user.id, postId, email, auth };
}

function inkwellEnv(processes: number, entityCache = true): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-production-use',
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    BCRYPT_COST: process.env.BCRYPT_COST ?? '10',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    WORKER_IN_PROCESS: 'false',
    OUTBOX_IN_PRODUCTION: 'true',
    // One client drives every login: let it run as many bcrypt hashes at once as the gate allows.
    BCRYPT_MAX_PER_CLIENT: '64',
    BCRYPT_MAX_QUEUED: '64',
    SIGNUP_MAX_PER_ADDRESS: '1000',
    // The login scenario sends the right password for one account from 16 connections at once;
    // each login in flight holds one of the account's attempts until it succeeds.
    LOGIN_MAX_FAILURES: '1000',
    // The login flood comes from random client addresses, as a proxy in front would say.
    TRUST_PROXY: '1',
    WEB_CONCURRENCY: String(processes),
    ENTITY_CACHE_ENABLED: String(entityCache),
  };
}

// Each launch on a free port the system picks: never a fixed one another run may hold.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function startInkwell(processes: number, port: number, dataDir: string, entityCache = true) {
  const server = await startServer(
    `inkwell ×${processes}`,
    // As `npm start` runs it.
    [...HEAP_FLAGS, 'dist/src/main.js'],
    port,
    { ...inkwellEnv(processes, entityCache), DATA_DIR: dataDir },
    '/readyz',
  );
  if (processes > 1) await waitForWorkers(server, processes);
  return server;
}

async function main(): Promise<void> {
  console.log(
    `npm run bench: ${TOOL}, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP} s of warm-up, ${CORES} cores, ${SHARED ? 'PostgreSQL + Redis' : 'embedded PGlite + in-process cache (set DATABASE_URL and REDIS_URL for cluster mode)'}`,
  );
  execSync('npm run --silent build', { cwd: ROOT, stdio: 'inherit' });
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'inkwell-bench-')), 'pglite');
  const servers: Server[] = [];
  const rows: Row[] = [];
  const flood: Record<string, number> = {};
  try {
    let inkwell = await startInkwell(1, await freePort(), dataDir);
    servers.push(inkwell);
    const s = await seed(`http://127.0.0.1:${inkwell.port}`);
    const body = await (
      await fetch(`http://127.0.0.1:${inkwell.port}/api/v1/users/${s.userId}`, { headers: s.auth })
    ).text();
    const env = { BENCH_BODY: body };
    const ceiling = await startServer(
      'node:http',
      ['--import', 'tsx', 'bench/ceiling-server.ts'],
      await freePort(),
      env,
      '/',
    );
    const express = await startServer(
      'express',
      ['--import', 'tsx', 'bench/baseline-server.ts'],
      await freePort(),
      env,
      '/api/v1/users/1',
    );
    servers.push(ceiling, express);

    const bare = async (server: Server, scenario: string) => {
      progress(`${scenario}`);
      const result = await measure(server, {
        url: `http://127.0.0.1:${server.port}/api/v1/users/1`,
        connections: CONNECTIONS,
        seconds: SECONDS,
      });
      rows.push({ scenario, mode: 'bare', ...result, ofCeiling: 0 });
    };
    await bare(ceiling, 'node:http, precomputed bytes (ceiling)');
    await bare(express, 'express 5, res.json of the same user');
    await ceiling.stop();
    await express.stop();

    const api = (port: number) => `http://127.0.0.1:${port}/api/v1`;
    for (const mode of modes) {
      if (mode.processes > 1) {
        await inkwell.stop();
        inkwell = await startInkwell(mode.processes, await freePort(), dataDir);
        servers.push(inkwell);
      }
      const run = async (
        scenario: string,
        load: Omit<Load, 'connections' | 'seconds'>,
        connections = CONNECTIONS,
      ) => {
        progress(`${scenario} · ${mode.label}`);
        const result = await measure(inkwell, { ...load, connections, seconds: SECONDS });
        rows.push({ scenario, mode: mode.label, ...result, ofCeiling: 0 });
        return result;
      };
      const getUser = { url: `${api(inkwell.port)}/users/${s.userId}`, headers: s.auth };
      const login = {
        url: `${api(inkwell.port)}/auth/login`,
        method: 'POST' as const,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: s.email, password: PASSWORD }).toString(),
      };
      await run('getUser, cached', getUser);
      await run('listPosts, page of 20', {
        url: `${api(inkwell.port)}/posts?limit=20`,
        headers: s.auth,
      });
      await run('createPost', {
        url: `${api(inkwell.port)}/posts`,
        method: 'POST',
        headers: { ...s.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Bench', body: 'Some words. '.repeat(20) }),
      });
      await run('login (bcrypt)', login, 16);
      progress(`getUser, cached, during a login flood · ${mode.label}`);
      await drive({ ...getUser, connections: CONNECTIONS, seconds: WARMUP }, TOOL);
      const [[reads, logins], rssMb] = await peakRss(inkwell, () =>
        Promise.all([
          drive({ ...getUser, connections: CONNECTIONS, seconds: SECONDS }, TOOL),
          loginFlood(login.url, 16, SECONDS),
        ]),
      );
      flood[mode.label] = logins.rps;
      rows.push({
        scenario: 'getUser, cached, during a login flood',
        mode: mode.label,
        ...reads,
        rssMb,
        ofCeiling: 0,
        note: `${logins.rps} unknown-account logins/s from random addresses alongside: ${JSON.stringify(logins.statuses)}`,
      });
      await inkwell.stop();
      inkwell = await startInkwell(mode.processes, await freePort(), dataDir, false);
      servers.push(inkwell);
      await run('getPost, cache bypassed (PostgreSQL)', {
        url: `${api(inkwell.port)}/posts/${s.postId}`,
        headers: s.auth,
      });
      await inkwell.stop();
      if (mode !== modes[modes.length - 1]) {
        inkwell = await startInkwell(1, await freePort(), dataDir);
        servers.push(inkwell);
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
  report(rows);
}

function report(rows: Row[]): void {
  const ceiling = rows[0]!.rps;
  for (const row of rows) row.ofCeiling = row.rps / ceiling;
  const find = (scenario: string, mode: string) =>
    rows.find((r) => r.scenario.startsWith(scenario) && r.mode.startsWith(mode));
  const express = rows[1]!.rps;
  const targets: Target[] = [];
  const target = (
    name: string,
    row: Row | undefined,
    met: (r: Row) => boolean,
    detail: (r: Row) => string,
  ) => {
    if (row) targets.push({ name, met: met(row), detail: detail(row) });
  };
  const cluster = modes[1]?.label ?? 'none';
  target(
    'getUser cached, cluster: ≥ 10,000 req/s or ≥ 0.3× node:http',
    find('getUser, cached', cluster),
    (r) => r.rps >= Math.min(10_000, 0.3 * ceiling),
    (r) => `${r.rps} req/s, ${r.ofCeiling.toFixed(2)}× node:http`,
  );
  target(
    'getUser cached, 1 process: ≥ 4,000 req/s or ≥ 0.5× express',
    find('getUser, cached', '1 process'),
    (r) => r.rps >= Math.min(4_000, 0.5 * express),
    (r) => `${r.rps} req/s, ${(r.rps / express).toFixed(2)}× express`,
  );
  target(
    'getPost through PostgreSQL, cluster: ≥ 5,000 req/s',
    find('getPost', cluster),
    (r) => r.rps >= 5_000,
    (r) => `${r.rps} req/s, ${r.ofCeiling.toFixed(2)}× node:http`,
  );
  for (const mode of modes) {
    target(
      `listPosts, ${mode.label}: ≥ 3,000 req/s`,
      find('listPosts', mode.label),
      (r) => r.rps >= 3_000,
      (r) => `${r.rps} req/s`,
    );
    target(
      `createPost, ${mode.label}: ≥ 2,500 req/s`,
      find('createPost', mode.label),
      (r) => r.rps >= 2_500,
      (r) => `${r.rps} req/s`,
    );
  }
  for (const mode of modes) {
    const alone = find('getUser, cached', mode.label);
    target(
      `getUser cached during a login flood, ${mode.label}: ≥ 0.5× without it`,
      find('getUser, cached, during', mode.label),
      (r) => r.rps >= 0.5 * (alone?.rps ?? Infinity),
      (r) =>
        `${r.rps} req/s, ${(r.rps / (alone?.rps ?? 1)).toFixed(2)}× the ${alone?.rps} req/s alone`,
    );
  }
  const reads = rows.filter((r) => r.mode !== 'bare' && /^get|^list/.test(r.scenario));
  const slowest = reads.reduce((a, b) => (b.p99 > a.p99 ? b : a), reads[0]!);
  targets.push({
    name: `p99 ≤ 25 ms at ${CONNECTIONS} connections on every read`,
    met: slowest.p99 <= 25,
    detail: `worst ${slowest.p99.toFixed(1)} ms (${slowest.scenario}, ${slowest.mode})`,
  });
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  targets.push({ name: '0 errors', met: errors === 0, detail: `${errors} errors or non-2xx` });
  const rss = Math.max(...rows.filter((r) => r.mode !== 'bare').map((r) => r.rssMb));
  targets.push({ name: '≤ 150 MB RSS per API process', met: rss <= 150, detail: `peak ${rss} MB` });

  const heading = `${TOOL}, ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${CORES} cores, ${SHARED ? 'PostgreSQL + Redis' : 'embedded PGlite'}, ${new Date().toISOString().slice(0, 16)}Z`;
  console.log(`\n${heading}\n\n${table(rows)}\n\nTargets:\n${targetList(targets)}`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    path.join(OUT, 'bench.json'),
    `${JSON.stringify({ heading, tool: TOOL, connections: CONNECTIONS, seconds: SECONDS, cores: CORES, rows, targets }, null, 2)}\n`,
  );
  writeFileSync(path.join(OUT, 'bench.svg'), svgChart(rows, `Inkwell · ${heading}`));
  writeFileSync(
    path.join(OUT, 'bench.md'),
    `${heading}\n\n${table(rows)}\n\nTargets:\n${targetList(targets)}\n`,
  );
  if (errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
