import bcrypt from 'bcrypt';
import { AppError } from '../../platform/app-error';

const MIN_BYTES = 8;
const MAX_BYTES = 72;

/**
 * bcrypt through its async API, which runs on the libuv thread pool rather than the event loop.
 * Passwords longer than bcrypt's 72-byte input are refused, never silently truncated.
 */
export class PasswordHasher {
  private dummyHash: Promise<string>;

  constructor(private readonly cost: number) {
    // Compared against when the e-mail is unknown, so both paths cost one bcrypt comparison.
    this.dummyHash = bcrypt.hash('inkwell-timing-equaliser', cost);
  }

  assertAcceptable(password: string, pointer: string): void {
    const bytes = Buffer.byteLength(password, 'utf8');
    if (bytes < MIN_BYTES)
      throw AppError.invalid('body', pointer, `must be at least ${MIN_BYTES} bytes`);
    if (bytes > MAX_BYTES)
      throw AppError.invalid('body', pointer, `must be at most ${MAX_BYTES} bytes in UTF-8`);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) {
      await bcrypt.compare(password.slice(0, MAX_BYTES), await this.dummyHash);
      return false;
    }
    if (hash === undefined) {
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
