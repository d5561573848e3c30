import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { contractPath } from '../../src/platform/contract';

// `npm run lint:api` as a designer meets it: today's contract is clean, and each way of breaking
// the house rules is caught by the rule meant for it (redocly.yaml).
const ROOT = path.dirname(contractPath());
const REDOCLY = path.join(ROOT, 'node_modules/.bin/redocly');
const contract = readFileSync(contractPath(), 'utf8');

function edit(from: string, to: string): string {
  if (!contract.includes(from)) throw new Error(`the contract no longer contains: ${from}`);
  return contract.replace(from, to);
}

/** Copies of the contract, each broken in one way, and the rule that must catch it. */
const BROKEN: [string, string, () => string][] = [
  [
    'an operation has no operationId',
    'operation-operationId',
    () => edit('      operationId: getMe\n', ''),
  ],
  [
    'an operationId is not camelCase',
    'rule/operation-id-camel-case',
    () => edit('operationId: getMe', 'operationId: get_me'),
  ],
  [
    'an operation has no description',
    'operation-description',
    () => edit('      description: The signed-in user becomes its author.\n', ''),
  ],
  [
    'an operation uses an undefined tag',
    'operation-tag-defined',
    () => edit('tags: [posts]', 'tags: [articles]'),
  ],
  [
    'an operation does not state its security',
    'rule/operation-security-explicit',
    () =>
      edit(
        '      description: The profile of the user the access token belongs to.\n      security:\n        - bearerAuth: []\n        - OAuth2Password: []\n',
        '      description: The profile of the user the access token belongs to.\n',
      ),
  ],
  [
    'an example does not match its schema',
    'no-invalid-schema-examples',
    () =>
      edit(
        '      example:\n        title: Notes on the Analytical Engine, revised',
        '      example:\n        title: 42',
      ),
  ],
  [
    'an example has a field its closed schema lacks',
    'no-invalid-schema-examples',
    () =>
      edit(
        '        pointer: /email\n        message: must match format "email"\n',
        '        pointer: /email\n        message: must match format "email"\n        hint: extra\n',
      ),
  ],
  [
    'a 4xx response is plain JSON',
    'rule/error-response-is-problem-json',
    () =>
      edit(
        '    NotFound:\n      description: No such resource.\n      content:\n        application/problem+json:',
        '    NotFound:\n      description: No such resource.\n      content:\n        application/json:',
      ),
  ],
  [
    'a 5xx response is plain JSON',
    'rule/error-response-is-problem-json',
    () =>
      edit(
        "        '409':\n          $ref: '#/components/responses/Conflict'\n",
        "        '409':\n          $ref: '#/components/responses/Conflict'\n        '500':\n          description: Oops.\n          content:\n            application/json:\n              schema:\n                type: object\n",
      ),
  ],
  [
    'an error response has no body',
    'rule/error-response-has-body',
    () =>
      edit(
        "        '409':\n          $ref: '#/components/responses/Conflict'\n",
        "        '409':\n          description: Taken.\n",
      ),
  ],
  [
    'a problem+json body is not the Problem schema',
    'rule/error-response-is-problem',
    () =>
      edit(
        "    Forbidden:\n      description: Authenticated, but not allowed to do this.\n      content:\n        application/problem+json:\n          schema:\n            $ref: '#/components/schemas/Problem'",
        "    Forbidden:\n      description: Authenticated, but not allowed to do this.\n      content:\n        application/problem+json:\n          schema:\n            $ref: '#/components/schemas/Check'",
      ),
  ],
  [
    'a JSON field is camelCase',
    'rule/property-snake-case',
    () =>
      edit(
        '        email_verified:\n          type: boolean',
        '        emailVerified:\n          type: boolean',
      ),
  ],
];

interface Problem {
  ruleId: string;
  severity: string;
}

const problems = new Map<string, Problem[]>();
let dir: string;

// One Redocly run over every copy (it reports each problem with its file).
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'inkwell-lint-'));
  const copies: [string, string][] = [
    ['clean', contract],
    ...BROKEN.map(([name, , mutate]): [string, string] => [name, mutate()]),
  ];
  const files = copies.map(([name, text], index) => {
    const file = path.join(dir, `copy-${index}.yaml`);
    writeFileSync(file, text);
    return { name, file };
  });
  const config = path.join(ROOT, 'redocly.yaml');
  const args = ['lint', ...files.map(({ file }) => file), '--config', config, '--format=json'];
  const env = { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_TELEMETRY: 'off' };
  const stdout = await promisify(execFile)(REDOCLY, args, { cwd: ROOT, env }).then(
    (result) => result.stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  // One JSON report per file, back to back, in the order given.
  const reports = JSON.parse(`[${stdout.replace(/\}\s*\{(?=\s*"totals")/g, '},{')}]`) as {
    problems: Problem[];
  }[];
  expect(reports).toHaveLength(files.length);
  reports.forEach((report, index) => problems.set(files[index]!.name, report.problems));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run lint:api', () => {
  it('when the contract is today’s, then there is no problem at all', () => {
    expect(problems.get('clean')).toEqual([]);
  });

  it('when it runs, then it says the contract is valid and prints no banner', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['scripts/redocly.mjs', 'lint', 'openapi.yaml'],
      { cwd: ROOT },
    );
    expect(stdout + stderr).toMatch(/valid/);
    expect(stdout + stderr).not.toMatch(/end-of-life|Update Node|update available/i);
  });

  it.each(BROKEN)('when %s, then %s reports it', (name, rule) => {
    const found = problems.get(name)?.map((p) => `${p.severity} ${p.ruleId}`);
    expect(found).toContain(`error ${rule}`);
  });
});
