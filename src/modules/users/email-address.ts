/**
 * The identity of an e-mail address: the one normalisation used for the unique index, for every
 * lookup and for every limiter key, so that no spelling of an address is a different account to
 * one of them and the same account to another. JavaScript and PostgreSQL lower-case differently
 * (`İ`, U+0130, is `i̇` here and `i` or `İ` there, by locale), so the database never lower-cases.
 */
export function emailKey(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase().normalize('NFKC');
}
