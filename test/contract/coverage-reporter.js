// Prints which (operationId, status) pairs of openapi.yaml the test run exercised, and which it
// did not. With CONTRACT_COVERAGE=strict, a documented response never exercised fails the run.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

const ROOT = path.join(__dirname, '../..');
const COVERAGE_DIR = path.join(ROOT, 'reports/contract-coverage');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

class ContractCoverageReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
    this.failed = false;
  }

  onRunComplete(_contexts, results) {
    if (
      results.numTotalTests === 0 ||
      this.globalConfig.testNamePattern ||
      results.numFailedTestSuites > 0
    )
      return;
    const documented = documentedPairs();
    const seen = seenPairs();
    const missing = [...documented].filter((pair) => !seen.has(pair));
    const covered = [...documented].filter((pair) => seen.has(pair));
    const lines = [
      '',
      `Contract coverage: ${covered.length}/${documented.size} documented (operation, status) pairs exercised`,
    ];
    const byOperation = new Map();
    for (const pair of documented) {
      const [op, status] = pair.split(' ');
      if (!byOperation.has(op)) byOperation.set(op, []);
      byOperation.get(op).push(seen.has(pair) ? status : `!${status}`);
    }
    for (const [op, statuses] of byOperation)
      lines.push(`  ${op.padEnd(22)} ${statuses.join(' ')}`);
    if (missing.length) lines.push(`  never exercised (marked !): ${missing.join(', ')}`);
    console.log(lines.join('\n'));
    const partialRun = results.numTotalTestSuites < this.globalConfig.nonFlagArgs?.length;
    if (process.env.CONTRACT_COVERAGE === 'strict' && missing.length && !partialRun) {
      this.failed = true;
      console.error('Contract coverage is incomplete (CONTRACT_COVERAGE=strict).');
    }
  }

  getLastError() {
    return this.failed ? new Error('contract coverage incomplete') : undefined;
  }
}

function documentedPairs() {
  const doc = parse(readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8'));
  const pairs = new Set();
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      for (const status of Object.keys(op.responses))
        if (/^\d{3}$/.test(status)) pairs.add(`${op.operationId} ${status}`);
    }
  }
  return pairs;
}

function seenPairs() {
  const seen = new Set();
  if (!existsSync(COVERAGE_DIR)) return seen;
  for (const file of readdirSync(COVERAGE_DIR)) {
    for (const line of readFileSync(path.join(COVERAGE_DIR, file), 'utf8').split('\n')) {
      if (!line) continue;
      const { operationId, status } = JSON.parse(line);
      seen.add(`${operationId} ${status}`);
    }
  }
  return seen;
}

module.exports = ContractCoverageReporter;
