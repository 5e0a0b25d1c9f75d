import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Registry } from '../model/registry.ts';
import type { Store } from '../store/index.ts';
import { createSecretBox, parseSecretKey, type SecretBox } from './secrets.ts';

/**
 * The secret key that seals secrets at rest: `ATRIUM_SECRET_KEY` (with any keys still needed for
 * reading in `ATRIUM_SECRET_KEY_PREVIOUS`, comma-separated), or `secret.key` in the data dir,
 * generated on first start. During and after a rotation the data dir also holds
 * `secret.key.new` / `secret.key.previous`, which stay readable so that no crash can strand data.
 */
export interface SecretKeys {
  readonly current: Buffer;
  readonly previous: readonly Buffer[];
  /** Where the current key comes from. */
  readonly source: 'environment' | 'data-dir';
}

const FILE = 'secret.key';

export function loadSecretKeys(config: Config, env: NodeJS.ProcessEnv = process.env): SecretKeys {
  const previousFromEnv = (env.ATRIUM_SECRET_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim() !== '').map(parseSecretKey);
  if (config.secretKey) return { current: parseSecretKey(config.secretKey), previous: previousFromEnv, source: 'environment' };
  const file = join(config.dataDir, FILE);
  const read = (name: string): Buffer | undefined => (existsSync(join(config.dataDir, name)) ? parseSecretKey(readFileSync(join(config.dataDir, name), 'utf8')) : undefined);
  let current = read(FILE);
  if (!current) {
    current = randomBytes(32);
    writeFileSync(file, `${current.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const previous = [read(`${FILE}.new`), read(`${FILE}.previous`), ...previousFromEnv].filter((k): k is Buffer => k !== undefined);
  return { current, previous, source: 'data-dir' };
}

export function secretBoxOf(keys: SecretKeys): SecretBox {
  return createSecretBox(keys.current, keys.previous);
}

/**
 * Re-encrypts every sealed secret under a new key in one transaction. With a data-dir key the new
 * key replaces `secret.key` (the old one is kept as `secret.key.previous`); with an environment key
 * the caller must set `ATRIUM_SECRET_KEY` to the returned key. Restart running processes afterwards.
 */
export async function rotateSecretKey(options: { config: Config; store: Store; registry: Registry; newKey?: Buffer }): Promise<{ newKey: Buffer; resealed: number }> {
  const keys = loadSecretKeys(options.config);
  const newKey = options.newKey ?? randomBytes(32);
  const dir = options.config.dataDir;
  if (keys.source === 'data-dir') writeFileSync(join(dir, `${FILE}.new`), `${newKey.toString('hex')}\n`, { mode: 0o600 });
  const reader = createSecretBox(keys.current, keys.previous);
  const writer = createSecretBox(newKey);
  let resealed = 0;
  await options.store.write(async (tx) => {
    for (const record of await tx.listByPrefix('/')) {
      const def = options.registry.find(record.kind);
      if (!def?.secrets || def.secrets.mode === 'hash') continue;
      let changed = false;
      const properties = { ...record.properties };
      for (const name of def.secrets.properties) {
        const value = properties[name];
        if (!reader.isSealed(value)) continue;
        properties[name] = writer.seal(reader.open(value));
        changed = true;
        resealed++;
      }
      if (changed) await tx.put({ key: record.key, id: record.id, kind: record.kind, parentKey: record.parentKey, workspace: record.workspace, name: record.name, uniqueKey: record.uniqueKey, properties });
    }
  });
  if (keys.source === 'data-dir') {
    renameSync(join(dir, FILE), join(dir, `${FILE}.previous`));
    renameSync(join(dir, `${FILE}.new`), join(dir, FILE));
  }
  return { newKey, resealed };
}
