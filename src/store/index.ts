import { join } from 'node:path';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export type { AuditEntry, AuditQuery, Page, RequestLogQuery, RequestLogRecord, Store, StoreTx, StoreReader, ResourceRecord, NewRecord, Change, Reference, ListQuery, ListResult } from './store.ts';
export { StoreError } from './store.ts';

/**
 * Opens the store named by `ATRIUM_DATABASE_URL`: PostgreSQL for `postgres://` URLs (a `schema`
 * query parameter keeps Atrium's tables in that schema), otherwise a SQLite file.
 */
export async function openStore(databaseUrl: string | undefined, dataDir: string): Promise<Store> {
  if (databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl)) {
    const url = new URL(databaseUrl);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore(url.toString(), { schema });
  }
  return openSqliteStore(databaseUrl && databaseUrl !== '' ? databaseUrl : join(dataDir, 'atrium.db'));
}
