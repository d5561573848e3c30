export interface ConcurrencyGateOptions {
  /** Tasks running at once. */
  maxRunning: number;
  /** Tasks waiting for a slot; beyond it the gate refuses at once. */
  maxQueued: number;
  /** Tasks one owner (a client) may have running or waiting. */
  maxPerOwner: number;
}

/** Why the gate refused a task, and how long the caller should wait before trying again. */
export class GateRefused extends Error {
  constructor(
    readonly reason: 'busy' | 'owner',
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'busy' ? 'the gate is full' : 'this owner has too many tasks');
    this.name = 'GateRefused';
  }
}

/**
 * Bounds how many expensive tasks (bcrypt) run at once in this process, with a short queue and a
 * share per owner, so that a flood of them cannot take every core from cheap requests.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perOwner = new Map<string, number>();
  /** Moving average of a task's duration, for Retry-After. */
  private averageMs = 100;

  constructor(private readonly options: ConcurrencyGateOptions) {}

  async run<T>(owner: string, task: () => Promise<T>): Promise<T> {
    const held = this.perOwner.get(owner) ?? 0;
    if (held >= this.options.maxPerOwner) throw new GateRefused('owner', this.retryAfter());
    if (this.running >= this.options.maxRunning && this.waiting.length >= this.options.maxQueued) {
      throw new GateRefused('busy', this.retryAfter());
    }
    this.perOwner.set(owner, held + 1);
    try {
      if (this.running >= this.options.maxRunning) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      } else this.running += 1;
      const started = performance.now();
      try {
        return await task();
      } finally {
        this.averageMs = this.averageMs * 0.8 + (performance.now() - started) * 0.2;
        this.release();
      }
    } finally {
      const left = (this.perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(owner, left);
      else this.perOwner.delete(owner);
    }
  }

  /** Hands the slot straight to the next waiting task, so `running` never over-counts. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private retryAfter(): number {
    const ahead = this.running + this.waiting.length;
    return Math.max(1, Math.ceil((ahead * this.averageMs) / this.options.maxRunning / 1000));
  }
}
