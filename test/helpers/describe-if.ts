/** The suffix that marks a skipped suite's name; test/skipped-reporter.js lists them by it. */
export const SKIPPED_MARK = ' — skipped: ';

/**
 * `describe` when `condition` holds; otherwise the suite is skipped with `reason` in its name, and
 * the run ends with a line naming it (a skip says why, never silently).
 */
export function describeIf(condition: boolean, reason: string): jest.Describe {
  if (condition) return describe;
  const skipped = (name: string | number | jest.FunctionLike, fn: jest.EmptyFunction) =>
    describe.skip(`${String(name)}${SKIPPED_MARK}${reason}`, fn);
  return Object.assign(skipped, describe) as unknown as jest.Describe;
}

/** The services a suite may need beyond the embedded default. */
export const services = {
  postgres: Boolean(process.env.DATABASE_URL),
  redis: Boolean(process.env.REDIS_URL),
};
