// Runs the Redocly CLI without its banners: the update notice (switched off by its variable) and
// the Node.js end-of-life box it prints on every run under Node 20, which says nothing about the
// contract. Everything else it prints, and its exit code, pass through.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin/cli.js');
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], {
  env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_TELEMETRY: 'off' },
  stdio: ['inherit', 'inherit', 'pipe'],
});

let inBanner = false;
let pending = '';
child.stderr.on('data', (chunk) => {
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    if (line.includes('╔')) inBanner = true;
    if (!inBanner) process.stderr.write(`${line}\n`);
    if (line.includes('╚')) inBanner = false;
  }
});
child.on('close', (code, signal) => {
  if (pending && !inBanner) process.stderr.write(pending);
  process.exit(signal ? 1 : (code ?? 1));
});
