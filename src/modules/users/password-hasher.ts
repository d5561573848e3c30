import bcrypt from 'bcrypt';
import { DomainError } from '../../kernel/domain-error';
import { GateRefused, type ConcurrencyGate } from '../../platform/concurrency-gate';
import { isCommonPassword } from './common-passwords';

const MIN_BYTES = 8;
const MAX_BYTES = 72;

/**
 * bcrypt through its async API, which runs on the libuv thread pool rather than the event loop,
 * behind a gate that bounds how many hashes run at once. Passwords longer than bcrypt's 72-byte
 * input are refused, never silently truncated.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly cost: number,
    private readonly gate: ConcurrencyGate,
  ) {}

  /** The policy for a new password: its length in bytes, and not one of the most common ones. */
  assertAcceptable(password: string, field: string): void {
    const bytes = Buffer.byteLength(password, 'utf8');
    if (bytes < MIN_BYTES) throw DomainError.invalid(field, `must be at least ${MIN_BYTES} bytes`);
    if (bytes > MAX_BYTES)
      throw DomainError.invalid(field, `must be at most ${MAX_BYTES} bytes in UTF-8`);
    if (isCommonPassword(password)) {
      throw DomainError.invalid(field, 'is one of the most common passwords; choose another');
    }
  }

  /** `client` names who asked (an address or a user), so one client cannot hold the whole gate. */
  hash(password: string, client: string): Promise<string> {
    return this.gated(client, () => bcrypt.hash(password, this.cost));
  }

  /** Always one bcrypt comparison, also for an unknown account, so timing tells nothing. */
  verify(password: string, hash: string | undefined, client: string): Promise<boolean> {
    return this.gated(client, async () => {
      if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) {
        await bcrypt.compare(password.slice(0, MAX_BYTES), await this.dummy());
        return false;
      }
      if (hash === undefined) {
        await bcrypt.compare(password, await this.dummy());
        return false;
      }
      return bcrypt.compare(password, hash);
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= bcrypt.hash('inkwell-timing-equaliser', this.cost);
    return this.dummyHash;
  }

  private async gated<T>(client: string, task: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.run(client, task);
    } catch (error) {
      if (!(error instanceof GateRefused)) throw error;
      const facts = { retryAfterSeconds: error.retryAfterSeconds };
      throw error.reason === 'owner'
        ? new DomainError('too-many-requests', 'Too many password checks at once from you.', facts)
        : new DomainError(
            'unavailable',
            'Too many password checks at once; try again shortly.',
            facts,
          );
    }
  }
}
