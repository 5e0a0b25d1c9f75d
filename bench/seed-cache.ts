// Seeded deployments kept between runs. Seeding 10,000 APIs through the management API takes
// minutes; a run on unchanged code with the same seed plan copies the stored data folder instead.
// The key covers the seed plan (backend URL included) and the non-test source files of the
// folders that write what a seeded store holds (the store and its migrations, the resource model,
// the management API, access), so that work on the gateway, policies or the CLI reuses the store
// while a change to how resources are stored seeds afresh. `--fresh` ignores the cache. Lives in
// bench/results/seed-cache/ (git-ignored), the newest few entries kept.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const keptEntries = 6;

/** Folders of src/ whose code decides what a seeded store holds. */
export const storeShapingFolders: readonly string[] = ['store', 'model', 'management', 'access'];

function sourceFiles(dir: string, into: string[] = []): string[] {
  if (!existsSync(dir)) return into;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, into);
    else if (entry.isFile() && !entry.name.endsWith('.test.ts')) into.push(path);
  }
  return into;
}

/** A hash of the non-test files under `<root>/src` that shape a seeded store, paths included. */
export function sourceHash(root: string): string {
  const hash = createHash('sha256');
  const src = join(root, 'src');
  const files = storeShapingFolders.flatMap((folder) => sourceFiles(join(src, folder)));
  for (const file of files.sort()) {
    hash.update(relative(src, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function seedCacheKey(deploymentName: string, plan: unknown, codeHash: string): string {
  const digest = createHash('sha256').update(JSON.stringify(plan)).update(codeHash).digest('hex').slice(0, 24);
  return `${deploymentName}-${digest}`;
}

interface Meta {
  adminKey: string;
  createdAt: string;
}

/**
 * Replaces `dataDir` with a copy of a cached data folder; returns its admin key, or undefined on
 * a miss. Whatever `dataDir` held goes: a database file copied beside another database's
 * write-ahead log would be read through it, as a corrupt store.
 */
export function restoreSeeded(cacheDir: string, key: string, dataDir: string): string | undefined {
  const entry = join(cacheDir, key);
  const metaFile = join(entry, 'meta.json');
  if (!existsSync(metaFile)) return undefined;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(join(entry, 'data'), dataDir, { recursive: true });
  return meta.adminKey;
}

/** Stores a freshly seeded data folder (no process may be writing to it) and prunes old entries. */
export function saveSeeded(cacheDir: string, key: string, dataDir: string, adminKey: string): void {
  const entry = join(cacheDir, key);
  const staging = `${entry}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(dataDir, join(staging, 'data'), { recursive: true });
  const meta: Meta = { adminKey, createdAt: new Date().toISOString() };
  writeFileSync(join(staging, 'meta.json'), JSON.stringify(meta));
  rmSync(entry, { recursive: true, force: true });
  renameSync(staging, entry);
  const entries = readdirSync(cacheDir)
    .map((name) => ({ name, time: statSync(join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of entries.slice(keptEntries)) rmSync(join(cacheDir, old.name), { recursive: true, force: true });
}
