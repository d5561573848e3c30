import { isIP } from 'node:net';

/**
 * What express's `trust proxy` is set to: nothing, a number of hops in front of the app, or the
 * addresses (CIDR ranges) of the proxies. `true`, trusting every hop, lets any client choose its
 * own address with `X-Forwarded-For`, so production refuses it.
 */
export type TrustProxy = false | true | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Parses TRUST_PROXY: `false`, a hop count (`1`), or a comma-separated CIDR list. */
export function parseTrustProxy(
  raw: string,
  env: 'development' | 'test' | 'production',
): { value: TrustProxy } | string {
  const text = raw.trim().toLowerCase();
  if (text === 'false' || text === '0') return { value: false };
  if (text === 'true') {
    return env === 'production'
      ? 'true trusts every hop, so clients choose their own address; give the number of proxies (1) or their addresses (10.0.0.0/8)'
      : { value: true };
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 10 ? { value: hops } : 'a hop count must be at most 10';
  }
  const entries = text.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !NAMED.has(entry) && !isCidr(entry));
  if (invalid.length > 0) {
    return `expected false, a hop count or a comma-separated list of addresses/CIDR ranges; not ${invalid.join(', ')}`;
  }
  return { value: entries };
}

function isCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
