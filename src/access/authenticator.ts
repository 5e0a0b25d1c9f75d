import { createHash } from 'node:crypto';
import { AtriumError } from '../model/errors.ts';
import type { Store } from '../store/index.ts';
import { generateSecret, hashSecret, verifySecret } from './hashing.ts';

/** Who is calling the management API. */
export interface Principal {
  readonly id: string;
  readonly kind: 'admin';
  readonly displayName: string;
}

export const accessErrorCodes = ['UNAUTHENTICATED', 'FORBIDDEN'] as const;

export interface Authenticator {
  /** The principal for a bearer token, or undefined when the token is not valid. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Forgets cached verifications (after a key is rotated or revoked). */
  forget(): void;
}

const ADMIN_KEY_META = 'adminKeyHash';
const CACHE_LIMIT = 10_000;
const CACHE_TTL_MS = 60_000;

/**
 * Verifies bearer tokens against the stored hashes. scrypt is deliberately slow, so a verified
 * token is remembered (by its SHA-256, never in clear) for a minute; failed ones too, so that a
 * stream of wrong keys cannot keep the CPU busy.
 */
export function createAuthenticator(store: Store, now: () => number = Date.now): Authenticator {
  const cache = new Map<string, { principal: Principal | undefined; expires: number }>();
  return {
    async authenticate(token) {
      if (token.length === 0 || token.length > 512) return undefined;
      const digest = createHash('sha256').update(token).digest('base64url');
      const cached = cache.get(digest);
      if (cached && cached.expires > now()) return cached.principal;
      const stored = await store.getMeta(ADMIN_KEY_META);
      const principal: Principal | undefined =
        stored && (await verifySecret(token, stored)) ? { id: '/admin', kind: 'admin', displayName: 'Organization admin' } : undefined;
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(digest, { principal, expires: now() + CACHE_TTL_MS });
      return principal;
    },
    forget() {
      cache.clear();
    },
  };
}

/**
 * Makes sure an organization admin key exists. `ATRIUM_ADMIN_KEY` wins when set; otherwise a key
 * is generated on first start and returned once (it is stored only as a hash).
 */
export async function ensureAdminKey(store: Store, configured: string | undefined): Promise<{ key: string | undefined; generated: boolean }> {
  const stored = await store.getMeta(ADMIN_KEY_META);
  if (configured !== undefined && configured !== '') {
    if (configured.length < 16) throw new AtriumError('INVALID_ADMIN_KEY', 'ATRIUM_ADMIN_KEY must be at least 16 characters long.');
    if (!stored || !(await verifySecret(configured, stored))) {
      const hash = await hashSecret(configured);
      await store.write((tx) => tx.setMeta(ADMIN_KEY_META, hash));
    }
    return { key: configured, generated: false };
  }
  if (stored) return { key: undefined, generated: false };
  const key = `atr_${generateSecret(32)}`;
  const hash = await hashSecret(key);
  await store.write((tx) => tx.setMeta(ADMIN_KEY_META, hash));
  return { key, generated: true };
}

/** Replaces the admin key with a new generated one and returns it. */
export async function rotateAdminKey(store: Store): Promise<string> {
  const key = `atr_${generateSecret(32)}`;
  const hash = await hashSecret(key);
  await store.write((tx) => tx.setMeta(ADMIN_KEY_META, hash));
  return key;
}
