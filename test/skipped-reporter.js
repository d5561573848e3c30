// Lists, after the run, every skipped suite with the reason in its name (test/helpers/describe-if.ts),
// so that a run on the embedded default says what it did not test and how to test it.
const SKIPPED_MARK = ' — skipped: ';

class SkippedReporter {
  onRunComplete(_contexts, results) {
    const reasons = new Map();
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status !== 'pending') continue;
        const title = test.ancestorTitles.find((name) => name.includes(SKIPPED_MARK));
        const [suite, reason] = title ? title.split(SKIPPED_MARK) : [test.fullName, 'skipped'];
        const key = `${reason}\u0000${suite}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    }
    if (reasons.size === 0) return;
    const total = [...reasons.values()].reduce((sum, n) => sum + n, 0);
    const lines = ['', `${total} tests skipped, and why:`];
    for (const [key, count] of reasons) {
      const [reason, suite] = key.split('\u0000');
      lines.push(`  ${String(count).padStart(3)} × ${suite}: ${reason}`);
    }
    console.log(lines.join('\n'));
  }
}

module.exports = SkippedReporter;
