/** Counts requests still being handled, so shutdown can wait for them before closing the pools. */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  drained(): Promise<void> {
    return this.count === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push(resolve));
  }
}
