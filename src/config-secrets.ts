export const DEV_JWT_SECRET = 'inkwell-development-secret-not-for-production-use';
const PLACEHOLDERS = ['changeme', 'change-me', 'changethis', 'secret', DEV_JWT_SECRET];
const MIN_BYTES = 32;
/** Shannon entropy of the secret's characters, times its length: a repeated or wordy secret fails. */
const MIN_ENTROPY_BITS = 128;

/** What is wrong with a secret for production use, or undefined when nothing is. */
export function weakSecret(secret: string): string | undefined {
  if (secret !== secret.trim()) return 'must not start or end with whitespace';
  if (Buffer.byteLength(secret) < MIN_BYTES) return `must be at least ${MIN_BYTES} bytes`;
  const lower = secret.toLowerCase();
  if (PLACEHOLDERS.some((placeholder) => lower === placeholder || lower.includes(DEV_JWT_SECRET))) {
    return 'is a placeholder or the public development secret';
  }
  if (entropyBits(secret) < MIN_ENTROPY_BITS) {
    return 'is too predictable (repeated or few distinct characters)';
  }
  return undefined;
}

function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  const characters = [...text];
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let perCharacter = 0;
  for (const count of counts.values()) {
    const p = count / characters.length;
    perCharacter -= p * Math.log2(p);
  }
  return perCharacter * characters.length;
}
