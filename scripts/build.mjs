// Incremental build for `npm start` and the operator commands: compiles only the TypeScript files
// that changed since the last build, with swc (no type check: `npm run typecheck` and
// `npm run build` do that), and says what it did. A first build takes a few seconds; an
// unchanged tree, a fraction of one (swc is not even loaded). With --check-port (`npm start`), a
// busy HTTP port is reported first, before anything is built.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'migrations', 'generated'];
const OUT = path.join(ROOT, 'dist');
const started = performance.now();

if (process.argv.includes('--check-port')) {
  const { assertStartPortFree } = await import('./port-free.mjs');
  await assertStartPortFree();
}

const options = (file) => ({
  filename: file,
  sourceMaps: true,
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
  module: { type: 'commonjs' },
});

function* typescriptFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);
const outputOf = (file) => path.join(OUT, path.relative(ROOT, file)).replace(/\.ts$/, '.js');

const sources = SOURCES.flatMap((dir) => [...typescriptFiles(path.join(ROOT, dir))]);
const stale = sources.filter((file) => mtime(outputOf(file)) < mtime(file));

const { transformFile } = stale.length > 0 ? await import('@swc/core') : {};
await Promise.all(
  stale.map(async (file) => {
    const out = outputOf(file);
    const { code, map } = await transformFile(file, options(file));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (map) writeFileSync(`${out}.map`, map);
  }),
);

// Outputs whose source is gone (a renamed or deleted file) would still be importable: remove them.
const expected = new Set(sources.map(outputOf));
let removed = 0;
for (const dir of SOURCES.map((name) => path.join(OUT, name)).filter(existsSync)) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.js') || expected.has(full)) continue;
    rmSync(full);
    rmSync(`${full}.map`, { force: true });
    rmSync(full.replace(/\.js$/, '.d.ts'), { force: true });
    removed += 1;
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const what =
  stale.length === 0
    ? `up to date (${sources.length} files)`
    : `compiled ${stale.length} of ${sources.length} files`;
console.log(`build: ${what}${removed ? `, removed ${removed} stale` : ''} in ${seconds} s`);
