import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AtriumError } from '../model/errors.ts';

/**
 * Encryption of secrets at rest (secret named values, subscription keys, backend credentials):
 * AES-256-GCM under the service's secret key. A sealed value is a string
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64url) holding the JSON of the original value.
 */
export interface SecretBox {
  seal(value: unknown): string;
  open(sealed: string): unknown;
  isSealed(value: unknown): value is string;
}

const PREFIX = 'enc:v1:';

/**
 * `key` seals; `key` and then each of `previous` open (so that values sealed before a rotation,
 * or by a rotation that did not finish, stay readable).
 */
export function createSecretBox(key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  for (const k of [key, ...previous]) if (k.length !== 32) throw new Error('the secret key must be 32 bytes');
  const keyring = [key, ...previous];
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ciphertext.toString('base64url')}`;
    },
    open(sealed) {
      const [iv, tag, ciphertext] = sealed.slice(PREFIX.length).split(':');
      for (const candidate of keyring) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', candidate, Buffer.from(iv, 'base64url'));
          decipher.setAuthTag(Buffer.from(tag, 'base64url'));
          const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
          return JSON.parse(plain);
        } catch {
          // try the next key
        }
      }
      throw new AtriumError('SECRET_UNREADABLE', 'A stored secret cannot be decrypted with the configured secret key.');
    },
    isSealed(value): value is string {
      return typeof value === 'string' && value.startsWith(PREFIX);
    },
  };
}

/** Reads a 32-byte key from its text form: 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32) return decoded;
  throw new AtriumError('INVALID_SECRET_KEY', 'ATRIUM_SECRET_KEY must be 32 bytes as 64 hex characters or base64.');
}
