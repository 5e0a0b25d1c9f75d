import { createHmac, constants, timingSafeEqual, verify } from 'node:crypto';
import { parseJwt } from '../../policy/expressions/library-more.ts';
import { getHeader } from '../../policy/runtime/headers.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { Outcome, PolicyFactory, Value } from '../../policy/runtime/types.ts';
import { DEFAULT_KEY_HOSTS, KeySetCache, rsaKey, symmetricKey, type VerificationKey } from './keys.ts';

const keySets = new KeySetCache();

const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/**
 * Requires a valid JWT in a header (Authorization by default), a query parameter or a value:
 * signed with HS256/384/512 (base64 `<key>`), RS*, PS* or ES* (`<key n="…" e="…">`, or the keys
 * of `openid-config` URLs, fetched only from the gateway's allowed key hosts); within its lifetime
 * (with `clock-skew` seconds); from one of `issuers`; for one of `audiences`; with the
 * `required-claims`. A failure answers `failed-validation-httpcode` (401) with
 * `failed-validation-error-message` or a message saying what failed.
 */
export const runtime: PolicyFactory = function compileValidateJwt(input) {
  const headerName = input.value('header-name');
  const queryName = input.value('query-parameter-name');
  const tokenValue = input.value('token-value');
  const status = input.value('failed-validation-httpcode');
  const errorMessage = input.value('failed-validation-error-message');
  const requireExp = (input.constant('require-expiration-time') ?? 'true').toLowerCase() !== 'false';
  const requireSigned = (input.constant('require-signed-tokens') ?? 'true').toLowerCase() !== 'false';
  const requireScheme = input.value('require-scheme');
  const skew = Number(input.constant('clock-skew') ?? '0');
  const output = input.constant('output-token-variable-name');
  const staticKeys: VerificationKey[] = [];
  const dynamicKeys: Value[] = [];
  const signing = input.child('issuer-signing-keys');
  for (const key of signing ? input.children('key', signing) : []) {
    if (input.constant('certificate-id', key) !== undefined) input.fail('keys from certificate resources are not supported by Atrium; give the key as n/e or base64 text');
    const n = input.constant('n', key);
    const e = input.constant('e', key);
    if (n !== undefined && e !== undefined) staticKeys.push(rsaKey(n, e, input.constant('id', key)));
    else if (key.children.some((c) => c.type === 'text' && c.expression)) dynamicKeys.push(input.text(key)!);
    else {
      const text = key.children.map((c) => (c.type === 'text' ? c.value : '')).join('').trim();
      if (text !== '') staticKeys.push(symmetricKey(text));
    }
  }
  // Keys given by expressions: each distinct value is turned into a key once.
  const dynamicCache = new Map<string, VerificationKey>();
  const dynamic = (pc: Parameters<Value>[0]): VerificationKey[] =>
    dynamicKeys.map((value) => {
      const text = value(pc).trim();
      let key = dynamicCache.get(text);
      if (key === undefined) {
        key = symmetricKey(text);
        if (dynamicCache.size < 64) dynamicCache.set(text, key);
      }
      return key;
    });
  if (input.child('decryption-keys')) input.services.log('validate-jwt: encrypted tokens are not supported by Atrium; <decryption-keys> is ignored');
  const configs = input.children('openid-config').map((c) => input.value('url', c)!);
  const listOf = (container: string, item: string): Value[] => {
    const c = input.child(container);
    return c ? input.children(item, c).map((e) => input.text(e) ?? (() => '')) : [];
  };
  const audiences = listOf('audiences', 'audience');
  const issuers = listOf('issuers', 'issuer');
  const claimsElement = input.child('required-claims');
  const claims = (claimsElement ? input.children('claim', claimsElement) : []).map((c) => ({
    name: input.constant('name', c)!,
    all: (input.constant('match', c) ?? 'all').toLowerCase() === 'all',
    separator: input.constant('separator', c),
    values: input.children('value', c).map((v) => input.text(v) ?? (() => '')),
  }));
  const services = input.services;

  return async function validateJwt(pc): Promise<Outcome> {
    const reject = (reason: string, detail: string): Outcome => {
      const message = errorMessage ? errorMessage(pc) : detail;
      return { kind: 'error', reason, message: detail, response: errorState(status ? Number(status(pc)) : 401, message) };
    };
    let token: string | undefined;
    const request = pc.gateway.request;
    if (tokenValue) token = tokenValue(pc);
    else if (queryName) token = new URLSearchParams(request.query).get(queryName(pc)) ?? undefined;
    else token = getHeader(request.headers, headerName ? headerName(pc) : 'Authorization');
    if (token === undefined || token.trim() === '') return reject('TokenNotPresent', 'JWT not present.');
    token = token.trim();
    const space = token.indexOf(' ');
    if (requireScheme) {
      const scheme = requireScheme(pc);
      if (space === -1 || token.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return reject('TokenSchemeNotAllowed', `JWT scheme ${scheme} is required.`);
    }
    if (space !== -1) token = token.slice(space + 1).trim();
    const parts = token.split('.');
    if (parts.length !== 3) return reject('TokenInvalid', 'Invalid JWT.');
    let header: { alg?: string; kid?: string };
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return reject('TokenInvalid', 'Invalid JWT.');
    }
    const alg = header.alg ?? 'none';
    if (alg === 'none') {
      if (requireSigned) return reject('TokenSignatureInvalid', 'JWT is not signed.');
    } else {
      let keys = dynamicKeys.length > 0 ? [...staticKeys, ...dynamic(pc)] : staticKeys;
      if (configs.length > 0) {
        keys = [...keys];
        for (const url of configs) {
          try {
            keys.push(...(await keySets.get(url(pc), services.keyHosts ?? DEFAULT_KEY_HOSTS, services.now(), services.dispatcher)).keys);
          } catch (error) {
            services.log(`validate-jwt: signing keys could not be read: ${(error as Error).message}`);
          }
        }
      }
      if (!verifySignature(alg, header.kid, `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], 'base64url'), keys)) {
        return reject('TokenSignatureInvalid', 'JWT signature validation failed.');
      }
    }
    const now = services.now() / 1000;
    const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
    if (exp === undefined && requireExp) return reject('TokenExpirationTimeMissing', 'JWT has no expiration time.');
    if (exp !== undefined && now > exp + skew) return reject('TokenExpired', 'JWT has expired.');
    if (typeof payload.nbf === 'number' && now + skew < payload.nbf) return reject('TokenNotYetValid', 'JWT is not yet valid.');
    if (audiences.length > 0) {
      const aud = Array.isArray(payload.aud) ? payload.aud.map(String) : payload.aud === undefined ? [] : [String(payload.aud)];
      const allowed = audiences.map((a) => a(pc));
      if (!aud.some((a) => allowed.includes(a))) return reject('TokenAudienceNotAllowed', 'JWT audience is not allowed.');
    }
    if (issuers.length > 0) {
      const allowed = issuers.map((i) => i(pc));
      if (!allowed.includes(String(payload.iss ?? ''))) return reject('TokenIssuerNotAllowed', 'JWT issuer is not allowed.');
    }
    const missing: string[] = [];
    for (const claim of claims) {
      const raw = payload[claim.name];
      if (raw === undefined || raw === null) {
        missing.push(claim.name);
        continue;
      }
      if (claim.values.length === 0) continue;
      let actual = Array.isArray(raw) ? raw.map(String) : [String(raw)];
      if (claim.separator) actual = actual.flatMap((v) => v.split(claim.separator!));
      const expected = claim.values.map((v) => v(pc));
      const ok = claim.all ? expected.every((v) => actual.includes(v)) : expected.some((v) => actual.includes(v));
      if (!ok) return reject('TokenClaimValueNotAllowed', `Claim ${claim.name} value of ${actual.join(',')} is not allowed.`);
    }
    if (missing.length > 0) return reject('TokenClaimNotFound', `JWT does not contain the following claims: ${missing.join(', ')}.`);
    if (output) pc.variables.set(output, parseJwt(token));
    return undefined;
  };
};

function verifySignature(alg: string, kid: string | undefined, data: string, signature: Buffer, keys: readonly VerificationKey[]): boolean {
  const family = alg.slice(0, 2);
  const hash = HASHES[alg.slice(2)];
  if (hash === undefined) return false;
  const candidates = kid !== undefined && keys.some((k) => k.kid === kid) ? keys.filter((k) => k.kid === kid) : keys;
  for (const k of candidates) {
    try {
      if (family === 'HS') {
        if (!k.symmetric) continue;
        const expected = createHmac(hash, k.key).update(data).digest();
        if (expected.length === signature.length && timingSafeEqual(expected, signature)) return true;
      } else if (!k.symmetric) {
        if (family === 'RS' && k.key.asymmetricKeyType === 'rsa' && verify(hash, Buffer.from(data), k.key, signature)) return true;
        if (family === 'PS' && k.key.asymmetricKeyType === 'rsa' && verify(hash, Buffer.from(data), { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)) return true;
        if (family === 'ES' && k.key.asymmetricKeyType === 'ec' && verify(hash, Buffer.from(data), { key: k.key, dsaEncoding: 'ieee-p1363' }, signature)) return true;
      }
    } catch {
      // a key of the wrong kind for this algorithm
    }
  }
  return false;
}
