import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { diffContracts } from './contract-diff/diff-operations';
import { isObject, type Change, type Doc } from './contract-diff/types';

export { diffContracts };
export type { Change };

const ROOT = path.join(__dirname, '..');
export const BASELINE = path.join(ROOT, 'contract/baseline/openapi.yaml');
export const CURRENT = path.join(ROOT, 'openapi.yaml');

export interface Verdict {
  changes: Change[];
  breaking: number;
  /** Breaking changes pass only when info.version has a new major. */
  newMajor: boolean;
  ok: boolean;
}

const versionOf = (doc: Doc) => String((isObject(doc.info) && doc.info.version) || '0.0.0');
const majorOf = (version: string) => Number.parseInt(version, 10) || 0;

/** Compares the contract with the published baseline; breaking changes need a new major. */
export function judge(base: Doc, head: Doc): Verdict {
  const changes = diffContracts(base, head);
  const breaking = changes.filter((change) => change.severity === 'breaking').length;
  const newMajor = majorOf(versionOf(head)) > majorOf(versionOf(base));
  return { changes, breaking, newMajor, ok: breaking === 0 || newMajor };
}

const MARK = { breaking: 'BREAKING', warning: 'warning ', info: 'added   ' } as const;
const ORDER = { breaking: 0, warning: 1, info: 2 } as const;

export function report(
  base: Doc,
  head: Doc,
  verdict: Verdict,
  names = ['baseline', 'current'],
): string {
  const lines = [
    `Contract diff: ${names[1]} (${versionOf(head)}) against ${names[0]} (${versionOf(base)})`,
  ];
  const sorted = [...verdict.changes].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  for (const change of sorted)
    lines.push(`  ${MARK[change.severity]}  ${change.where}: ${change.message}`);
  if (!sorted.length) lines.push('  no changes a client could notice');
  const count = (severity: Change['severity']) =>
    sorted.filter((c) => c.severity === severity).length;
  lines.push(
    `${count('breaking')} breaking, ${count('warning')} to review, ${count('info')} additive.`,
  );
  if (!verdict.ok) {
    lines.push(
      `✖ Breaking changes need a new major info.version (the baseline is ${versionOf(base)}); ` +
        'or keep the old behaviour alongside the new.',
    );
  } else if (verdict.breaking) {
    lines.push(`✔ Allowed by the new major version ${versionOf(head)}.`);
  } else lines.push('✔ No breaking changes.');
  return lines.join('\n');
}

const load = (file: string) => parse(readFileSync(file, 'utf8')) as Doc;

/** `npm run contract:diff [-- <baseline> <current>]`: prints the comparison, exits 1 on a break. */
export function main(args = process.argv.slice(2)): number {
  const [baseFile = BASELINE, headFile = CURRENT] = args;
  const [base, head] = [load(baseFile), load(headFile)];
  const verdict = judge(base, head);
  const names = [baseFile, headFile].map((file) => path.relative(process.cwd(), file) || file);
  console.log(report(base, head, verdict, names));
  return verdict.ok ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
