import { createHash } from 'node:crypto';
import { AtriumError } from '../model/errors.ts';
import { keyOf } from '../model/registry.ts';
import type { ResourceRecord, Store } from '../store/index.ts';
import type { Grant } from './authorize.ts';
import { generateSecret, hashSecret, verifySecret } from './hashing.ts';
import { findRole } from './roles.ts';

/** Who is calling the management API, with the grants in force for this call. */
export interface Principal {
  /** '/admin', '/operators/{id}', '/apiKeys/{id}' or '/workspaces/{ws}/apiKeys/{id}'. */
  readonly id: string;
  readonly kind: 'admin' | 'operator' | 'apiKey';
  readonly displayName: string;
  /** The workspace a workspace API key is bound to (lower-cased); it never acts outside it. */
  readonly workspace?: string;
  readonly grants: readonly Grant[];
  /** Key of the login session, for logout. */
  readonly sessionKey?: string;
  /** The operator a session or user key acts as. */
  readonly operatorKey?: string;
}

export const accessErrorCodes = ['UNAUTHENTICATED', 'FORBIDDEN', 'LOGIN_FAILED', 'TOO_MANY_ATTEMPTS'] as const;

export interface Authenticator {
  /** The principal for a bearer token, or undefined when the token is not valid (now). */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Forgets cached verifications (after a key is rotated or revoked). */
  forget(): void;
}

const ADMIN_KEY_META = 'adminKeyHash';
const CACHE_LIMIT = 10_000;
const CACHE_TTL_MS = 60_000;
export const API_KEY_PREFIX = 'atk';
export const SESSION_PREFIX = 'ats';

/**
 * Verifies bearer tokens: the admin key, API keys (`atk.<id>.<secret>`) and login sessions
 * (`ats.<id>.<secret>`). scrypt is deliberately slow, so a verified secret is remembered by its
 * SHA-256 together with the hash it matched; the record is read again on every call, so a
 * deleted key, session, operator or role assignment stops working at once.
 */
export function createAuthenticator(store: Store, now: () => number = Date.now): Authenticator {
  const verified = new Map<string, { hash: string; expires: number }>();
  const failed = new Map<string, number>();

  const remember = (digest: string, hash: string): void => {
    if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value!);
    verified.set(digest, { hash, expires: now() + CACHE_TTL_MS });
  };
  /** Whether `secret` matches `hash`, with a cache of successes and failures. */
  const matches = async (digest: string, secret: string, hash: string): Promise<boolean> => {
    const known = verified.get(digest);
    if (known && known.expires > now() && known.hash === hash) return true;
    const failedUntil = failed.get(`${digest}:${hash}`);
    if (failedUntil && failedUntil > now()) return false;
    if (await verifySecret(secret, hash)) {
      remember(digest, hash);
      return true;
    }
    if (failed.size >= CACHE_LIMIT) failed.delete(failed.keys().next().value!);
    failed.set(`${digest}:${hash}`, now() + CACHE_TTL_MS);
    return false;
  };

  const grantsOf = async (principalKey: string): Promise<Grant[]> => {
    const grants: Grant[] = [];
    for (const ref of await store.referencesTo(principalKey)) {
      if (ref.property !== 'principalId') continue;
      const assignment = await store.get(ref.fromKey);
      if (!assignment || assignment.kind !== 'roleAssignments') continue;
      const grant = grantOf(String(assignment.properties.role), String(assignment.properties.scope ?? '/'));
      if (grant) grants.push(grant);
    }
    return grants;
  };

  const operatorGrants = async (operatorKey: string): Promise<{ operator: ResourceRecord; grants: Grant[] } | undefined> => {
    const operator = await store.get(operatorKey);
    if (!operator || operator.kind !== 'operators' || operator.properties.state === 'disabled') return undefined;
    return { operator, grants: await grantsOf(operator.key) };
  };

  return {
    async authenticate(token) {
      if (token.length === 0 || token.length > 1024) return undefined;
      const digest = createHash('sha256').update(token).digest('base64url');
      const parts = token.split('.');
      if (parts.length === 3 && (parts[0] === API_KEY_PREFIX || parts[0] === SESSION_PREFIX)) {
        let id: string;
        try {
          id = Buffer.from(parts[1], 'base64url').toString('utf8');
        } catch {
          return undefined;
        }
        const record = await store.get(keyOf(id));
        if (!record) return undefined;
        if (parts[0] === API_KEY_PREFIX) {
          const hash = record.kind === 'apiKeys' ? record.properties.keyHash : undefined;
          if (typeof hash !== 'string' || !(await matches(digest, parts[2], hash))) return undefined;
          const workspace = record.workspace === '' ? undefined : record.workspace;
          if (record.properties.type === 'user') {
            const operatorKey = await operatorKeyOf(store, record);
            const acting = operatorKey ? await operatorGrants(operatorKey) : undefined;
            if (!acting) return undefined;
            return { id: record.id, kind: 'apiKey', displayName: String(record.properties.displayName ?? record.name), workspace, grants: acting.grants, operatorKey: acting.operator.key };
          }
          const own = grantOf(String(record.properties.role), workspace === undefined ? '/' : `/workspaces/${workspace}`);
          const grants = [...(own ? [own] : []), ...(await grantsOf(record.key))];
          return { id: record.id, kind: 'apiKey', displayName: String(record.properties.displayName ?? record.name), workspace, grants };
        }
        const hash = record.kind === 'operatorSessions' ? record.properties.secret : undefined;
        if (typeof hash !== 'string' || Date.parse(String(record.properties.expiresAt)) <= now()) return undefined;
        if (!(await matches(digest, parts[2], hash))) return undefined;
        const acting = await operatorGrants(record.parentKey);
        if (!acting) return undefined;
        return {
          id: acting.operator.id,
          kind: 'operator',
          displayName: String(acting.operator.properties.displayName ?? acting.operator.name),
          grants: acting.grants,
          sessionKey: record.key,
          operatorKey: acting.operator.key,
        };
      }
      const stored = await store.getMeta(ADMIN_KEY_META);
      if (!stored || !(await matches(digest, token, stored))) return undefined;
      return { id: '/admin', kind: 'admin', displayName: 'Organization admin', grants: [{ role: findRole('owner')!, scope: { type: 'service' } }] };
    },
    forget() {
      verified.clear();
      failed.clear();
    },
  };
}

async function operatorKeyOf(store: Store, key: ResourceRecord): Promise<string | undefined> {
  const ref = (await store.referencesFrom(key.key)).find((r) => r.property === 'operatorId');
  return ref?.toKey;
}

/** A role assignment's role and scope as a grant; undefined for anything malformed. */
export function grantOf(roleName: string, scope: string): Grant | undefined {
  const role = findRole(roleName);
  if (!role) return undefined;
  const normalized = scope.replace(/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.apimanagement\/service\/[^/]+/i, '');
  if (normalized === '/' || normalized === '') return role.scope === 'service' ? { role, scope: { type: 'service' } } : undefined;
  const match = /^\/(workspaces|gateways)\/([^/]+)$/i.exec(normalized);
  if (!match) return undefined;
  const type = match[1].toLowerCase() === 'workspaces' ? 'workspace' : 'gateway';
  if (role.scope !== type) return undefined;
  return { role, scope: { type, name: match[2].toLowerCase() } };
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
