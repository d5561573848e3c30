import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
}

export const hasWrk = (): boolean => !spawnSync('wrk', ['--version']).error;

const scripts = mkdtempSync(path.join(tmpdir(), 'inkwell-bench-wrk-'));
let scriptCount = 0;

/** wrk (C, two threads) when installed, else autocannon in this process. */
export function drive(load: Load, tool: 'wrk' | 'autocannon'): Promise<LoadResult> {
  return tool === 'wrk' ? withWrk(load) : withAutocannon(load);
}

async function withWrk(load: Load): Promise<LoadResult> {
  const script = path.join(scripts, `s${scriptCount++}.lua`);
  const headers = Object.entries(load.headers ?? {})
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
    .join('\n');
  writeFileSync(
    script,
    `wrk.method = "${load.method ?? 'GET'}"
${load.body === undefined ? '' : `wrk.body = ${JSON.stringify(load.body)}`}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests":%d,"us":%d,"p50":%d,"p99":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
`,
  );
  const { stdout } = await promisify(execFile)(
    'wrk',
    [
      '-t2',
      `-c${load.connections}`,
      `-d${load.seconds}s`,
      '--timeout',
      '5s',
      '-s',
      script,
      load.url,
    ],
    { timeout: (load.seconds + 30) * 1000 },
  );
  const line = /RESULT (\{.*\})/.exec(stdout)?.[1];
  if (!line) throw new Error(`wrk gave no result:\n${stdout}`);
  const r = JSON.parse(line) as {
    requests: number;
    us: number;
    p50: number;
    p99: number;
    errors: number;
  };
  return {
    requests: r.requests,
    rps: Math.round(r.requests / (r.us / 1e6)),
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    // A run that got no answer at all (the server is gone) is an error, not a slow scenario.
    errors: r.requests === 0 ? 1 : r.errors,
  };
}

async function withAutocannon(load: Load): Promise<LoadResult> {
  const result = await autocannon({
    url: load.url,
    method: load.method ?? 'GET',
    headers: load.headers ?? {},
    body: load.body,
    connections: load.connections,
    duration: load.seconds,
  });
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
