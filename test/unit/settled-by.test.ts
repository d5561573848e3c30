import { settledBy } from '../../src/process-lifecycle';

describe('settledBy: a shutdown phase bounded by a deadline', () => {
  it('is true when the work fulfils before the deadline', async () => {
    expect(await settledBy(Promise.resolve('done'), Date.now() + 60_000)).toBe(true);
  });

  it('is false at the deadline when the work never settles (a pool waiting on a silent database)', async () => {
    expect(await settledBy(new Promise(() => undefined), Date.now() + 20)).toBe(false);
  });

  it('rejects when the work fails before the deadline', async () => {
    await expect(
      settledBy(Promise.reject(new Error('close failed')), Date.now() + 60_000),
    ).rejects.toThrow('close failed');
  });

  it('drops a failure that comes after the deadline: nothing is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      let fail!: (error: Error) => void;
      const work = new Promise((_resolve, reject) => (fail = reject));
      expect(await settledBy(work, Date.now())).toBe(false);
      fail(new Error('late'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
