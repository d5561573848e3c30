import { dictionary } from '@zxcvbn-ts/language-common';

/** Shorter ones are refused by length before they are looked up. */
const MIN_LENGTH = 8;

let common: ReadonlySet<string> | undefined;

/**
 * Whether a password is among the most used ones (the ranked list zxcvbn-ts ships, ~18,000 of
 * them 8 characters or longer), in any letter case. The set is built once, on first use.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    (dictionary['passwords-common'] as string[])
      .filter((entry) => entry.length >= MIN_LENGTH)
      .map((entry) => entry.toLowerCase()),
  );
  return common.has(password.toLowerCase());
}
