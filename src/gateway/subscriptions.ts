import type { CompiledApi, SubscriptionEntry, SubscriptionIndex } from './snapshot.ts';

/**
 * The subscription key check (DESIGN.md §7). A key works only for its scope — every API of its
 * level (a service-level `/apis` subscription: every API this gateway serves; a workspace's: the
 * workspace's APIs), one API (all its revisions), or the APIs of one product — and only while the
 * subscription is active. An API needs a key unless it says `subscriptionRequired: false` or it
 * belongs to a published open product; there a valid key still identifies the subscription, and
 * any other key is ignored.
 */
export type KeyCheck =
  | { readonly ok: true; readonly subscription: SubscriptionEntry | undefined; readonly productKey: string | undefined }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' };

const ANONYMOUS: KeyCheck = { ok: true, subscription: undefined, productKey: undefined };
const MISSING: KeyCheck = { ok: false, reason: 'missing' };
const INVALID: KeyCheck = { ok: false, reason: 'invalid' };

export function checkSubscriptionKey(index: SubscriptionIndex, api: CompiledApi, key: string | undefined): KeyCheck {
  // An empty set is not asked: asking hashes the API's key, a read of memory of its own.
  const required = api.subscriptionRequired && (index.openApis.size === 0 || !index.openApis.has(api.baseKey));
  if (key === undefined || key === '') return required ? MISSING : ANONYMOUS;
  const entry = index.byKey.get(key);
  if (entry !== undefined && entry.active) {
    if (entry.scope === 'all') {
      if (entry.workspace === '' || entry.workspace === api.workspace) return { ok: true, subscription: entry, productKey: undefined };
    } else if (entry.scope === 'api') {
      if (entry.scopeKey === api.baseKey) return { ok: true, subscription: entry, productKey: undefined };
    } else if (index.productApis.get(entry.scopeKey)?.has(api.baseKey)) {
      return { ok: true, subscription: entry, productKey: entry.scopeKey };
    }
  }
  return required ? INVALID : ANONYMOUS;
}

export const MISSING_KEY_MESSAGE =
  'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const INVALID_KEY_MESSAGE =
  'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
