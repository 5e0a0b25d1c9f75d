import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { getGlobalDispatcher, type Dispatcher } from 'undici';

/** A verification key: symmetric (HS*) or public (RS*, PS*, ES*), with its key id when known. */
export interface VerificationKey {
  readonly kid?: string;
  readonly key: KeyObject;
  readonly symmetric: boolean;
}

export function symmetricKey(base64: string): VerificationKey {
  return { key: createSecretKey(Buffer.from(base64.trim(), 'base64')), symmetric: true };
}

export function rsaKey(n: string, e: string, kid?: string): VerificationKey {
  return { kid, key: createPublicKey({ key: { kty: 'RSA', n: toBase64Url(n), e: toBase64Url(e) }, format: 'jwk' }), symmetric: false };
}

function toBase64Url(text: string): string {
  return text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Where keys are fetched from when the gateway names no key hosts: the public identity providers
 * API teams use most (Microsoft Entra ID and B2C, Google, Auth0, Okta).
 */
export const DEFAULT_KEY_HOSTS: readonly string[] = [
  'login.microsoftonline.com',
  'login.windows.net',
  'sts.windows.net',
  '*.b2clogin.com',
  '*.ciamlogin.com',
  'accounts.google.com',
  'www.googleapis.com',
  '*.auth0.com',
  '*.okta.com',
];

/** Whether `host` matches one of the allowed patterns (`example.com`, `*.example.com`). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
  });
}

interface Fetched {
  readonly keys: VerificationKey[];
  readonly issuer?: string;
  readonly until: number;
}

/**
 * Keys of an OpenID Connect configuration (its `jwks_uri`), fetched from allow-listed hosts only
 * and kept for an hour per URL; a failed fetch is retried after a minute.
 */
export class KeySetCache {
  private readonly entries = new Map<string, Fetched>();
  private readonly pending = new Map<string, Promise<Fetched>>();

  async get(url: string, allowed: readonly string[], now: number, dispatcher?: Dispatcher): Promise<Fetched> {
    const hit = this.entries.get(url);
    if (hit && hit.until > now) return hit;
    let p = this.pending.get(url);
    if (!p) {
      p = this.load(url, allowed, now, dispatcher).finally(() => this.pending.delete(url));
      this.pending.set(url, p);
    }
    return p;
  }

  private async load(url: string, allowed: readonly string[], now: number, dispatcher?: Dispatcher): Promise<Fetched> {
    try {
      const config = (await fetchJson(url, allowed, dispatcher)) as { jwks_uri?: string; issuer?: string; keys?: unknown[] };
      const jwks = config.keys ? config : config.jwks_uri ? ((await fetchJson(config.jwks_uri, allowed, dispatcher)) as { keys?: unknown[] }) : { keys: [] };
      const keys: VerificationKey[] = [];
      for (const jwk of jwks.keys ?? []) {
        const k = jwk as { kid?: string; kty?: string; use?: string };
        if (k.use !== undefined && k.use !== 'sig') continue;
        try {
          keys.push({ kid: k.kid, key: createPublicKey({ key: jwk as Parameters<typeof createPublicKey>[0] & object, format: 'jwk' } as never), symmetric: false });
        } catch {
          // a key type Node cannot read is skipped
        }
      }
      const fetched = { keys, issuer: config.issuer, until: now + 3_600_000 };
      this.entries.set(url, fetched);
      return fetched;
    } catch (error) {
      const failed = { keys: [], until: now + 60_000 };
      this.entries.set(url, failed);
      throw error;
    }
  }
}

async function fetchJson(url: string, allowed: readonly string[], dispatcher?: Dispatcher): Promise<unknown> {
  const parsed = new URL(url);
  if (!hostAllowed(parsed.host, allowed) && !hostAllowed(parsed.hostname, allowed)) {
    throw new Error(`'${parsed.host}' is not an allowed key host`);
  }
  const response = await (dispatcher ?? getGlobalDispatcher()).request({
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${url} answered ${response.statusCode}`);
  }
  return response.body.json();
}
