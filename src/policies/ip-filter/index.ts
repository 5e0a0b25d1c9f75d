import { isIP } from 'node:net';
import { errorState } from '../../policy/runtime/target.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';

/**
 * Allows (`action="allow"`) only, or forbids, callers whose address is listed or falls in a
 * listed range (IPv4 and IPv6). A refused caller gets Azure's 403.
 */
export const runtime: PolicyFactory = function compileIpFilter(input) {
  const allow = (input.constant('action') ?? 'allow').toLowerCase() === 'allow';
  const addresses = input.children('address').map((a) => input.text(a)).filter((v): v is Value => v !== undefined);
  const ranges = input.children('address-range').map((r) => ({ from: input.value('from', r)!, to: input.value('to', r)! }));
  return function ipFilter(pc) {
    const ip = pc.gateway.clientIp;
    const caller = toBigInt(ip);
    if (caller === undefined) {
      return { kind: 'error', reason: 'FailedToParseCallerIP', message: 'Failed to establish IP address for the caller. Access denied.', response: errorState(403, 'Forbidden') };
    }
    let listed = false;
    for (const a of addresses) if (toBigInt(a(pc).trim()) === caller) listed = true;
    if (!listed) {
      for (const r of ranges) {
        const from = toBigInt(r.from(pc).trim());
        const to = toBigInt(r.to(pc).trim());
        if (from !== undefined && to !== undefined && caller >= from && caller <= to) listed = true;
      }
    }
    if (listed === allow) return undefined;
    const message = `Caller IP address ${ip} is not allowed. Access denied.`;
    return { kind: 'error', reason: 'CallerIpNotAllowed', message, response: errorState(403, message) };
  };
};

/** An address as a number in one space: IPv4 as IPv4-mapped IPv6, so both compare. */
export function toBigInt(address: string): bigint | undefined {
  const kind = isIP(address);
  if (kind === 4) {
    const [a, b, c, d] = address.split('.').map(Number);
    return 0xffff00000000n + BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
  }
  if (kind !== 6) return undefined;
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail = 0n;
  let tailGroups = 0;
  if (v4) {
    const mapped = toBigInt(v4[1])! - 0xffff00000000n;
    tail = mapped;
    tailGroups = 2;
    text = text.slice(0, -v4[1].length).replace(/:$/, ':0');
    if (text.endsWith(':0')) text = text.slice(0, -2);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':').filter((p) => p !== '') : [];
  const restParts = rest ? rest.split(':').filter((p) => p !== '') : [];
  const missing = 8 - tailGroups - headParts.length - restParts.length;
  const groups = [...headParts, ...(rest !== undefined ? Array(Math.max(0, missing)).fill('0') : []), ...restParts];
  let value = 0n;
  for (const g of groups) value = (value << 16n) + BigInt(Number.parseInt(g, 16));
  return (value << BigInt(16 * tailGroups)) + tail;
}
