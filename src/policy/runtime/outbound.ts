import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where policies may send requests of their own (send-request, send-one-way-request, logger
 * endpoints). Policy authors are API teams of a workspace: a policy must not reach the gateway
 * host's own services nor cloud metadata endpoints. Loopback and link-local addresses (and the
 * unspecified address) are refused unless allowed; private networks are allowed unless
 * `allowPrivate` is false; `allowedHosts` (names or `*.suffix`) are always allowed.
 */
export interface OutboundRules {
  readonly allowLoopback?: boolean;
  readonly allowPrivate?: boolean;
  readonly allowedHosts?: readonly string[];
}

const resolved = new Map<string, { readonly addresses: readonly string[]; readonly until: number }>();

/** Why a request to `url` is refused, or undefined when it may go. Resolves host names (cached for a minute). */
export async function refusedDestination(url: URL, rules: OutboundRules = {}, now = Date.now()): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if ((rules.allowedHosts ?? []).some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1).toLowerCase()) : host === p.toLowerCase()))) return undefined;
  let addresses: readonly string[];
  if (isIP(host)) addresses = [host];
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1'];
  else {
    const hit = resolved.get(host);
    if (hit && hit.until > now) addresses = hit.addresses;
    else {
      try {
        addresses = (await lookup(host, { all: true })).map((a) => a.address);
      } catch {
        return undefined; // the request itself will fail and say why
      }
      if (resolved.size > 1000) resolved.clear();
      resolved.set(host, { addresses, until: now + 60_000 });
    }
  }
  for (const address of addresses) {
    const kind = classify(address);
    if (kind === 'loopback' && !rules.allowLoopback) return `${host} is a loopback address`;
    if (kind === 'link-local' || kind === 'unspecified') return `${host} is a ${kind} address`;
    if (kind === 'private' && rules.allowPrivate === false) return `${host} is a private network address`;
  }
  return undefined;
}

function classify(address: string): 'loopback' | 'link-local' | 'unspecified' | 'private' | 'public' {
  let a = address.toLowerCase();
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  if (isIP(a) === 4) {
    const [x, y] = a.split('.').map(Number);
    if (x === 127) return 'loopback';
    if (x === 0) return 'unspecified';
    if (x === 169 && y === 254) return 'link-local';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127)) return 'private';
    return 'public';
  }
  if (a === '::1') return 'loopback';
  if (a === '::') return 'unspecified';
  if (/^fe[89ab]/.test(a)) return 'link-local';
  if (/^f[cd]/.test(a)) return 'private';
  return 'public';
}
