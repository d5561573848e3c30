import { ConcurrencyGate, GateRefused } from '../../src/platform/concurrency-gate';

/** A task that runs until released, so the test decides when each one ends. */
function heldTask() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  let started = false;
  return {
    run: async () => {
      started = true;
      await done;
      return 'done';
    },
    release,
    get started() {
      return started;
    },
  };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof GateRefused ? error.reason : error),
  );

describe('ConcurrencyGate', () => {
  it('when the running slots and the queue are full, then the next task is refused as busy', async () => {
    const gate = new ConcurrencyGate({ maxRunning: 1, maxQueued: 1, maxPerOwner: 10 });
    const [first, second] = [heldTask(), heldTask()];
    const running = gate.run('a', first.run);
    const queued = gate.run('b', second.run);
    expect(await refusal(gate.run('c', async () => 'never'))).toBe('busy');
    expect([first.started, second.started]).toEqual([true, false]);

    first.release();
    await running;
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.started).toBe(true);
    second.release();
    await expect(queued).resolves.toBe('done');
    await expect(gate.run('c', async () => 'ran')).resolves.toBe('ran');
  });

  it('when one owner holds its share, then its next task is refused as owner while others run', async () => {
    const gate = new ConcurrencyGate({ maxRunning: 4, maxQueued: 4, maxPerOwner: 2 });
    const held = [heldTask(), heldTask()];
    const mine = held.map((task) => gate.run('me', task.run));
    expect(await refusal(gate.run('me', async () => 'never'))).toBe('owner');
    await expect(gate.run('you', async () => 'yours')).resolves.toBe('yours');
    for (const task of held) task.release();
    await Promise.all(mine);
    await expect(gate.run('me', async () => 'mine again')).resolves.toBe('mine again');
  });

  it('when a task fails, then its slot is given back', async () => {
    const gate = new ConcurrencyGate({ maxRunning: 1, maxQueued: 0, maxPerOwner: 1 });
    await expect(gate.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run('a', async () => 'ok')).resolves.toBe('ok');
  });
});
