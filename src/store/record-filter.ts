import type { AuditQuery, RequestLogQuery } from './store.ts';

/**
 * The WHERE clause shared by the record tables (request logs, audit log), for either dialect, and
 * its conditions apart (`clauses`) for a query that adds its own: `placeholder(n)` writes the
 * n-th parameter (`?` for SQLite, `$n` for PostgreSQL).
 */
export function recordFilter(query: RequestLogQuery | AuditQuery, placeholder: (n: number) => string): { where: string; clauses: string[]; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: (p: string) => string, value: string | number): void => {
    params.push(value);
    clauses.push(sql(placeholder(params.length)));
  };
  if (query.workspace !== undefined) add((p) => `workspace = ${p}`, query.workspace);
  if (query.from) add((p) => `time >= ${p}`, query.from);
  if (query.to) add((p) => `time <= ${p}`, query.to);
  if ('apiId' in query && query.apiId) add((p) => `lower(api_id) = lower(${p})`, query.apiId);
  if ('status' in query && query.status !== undefined) add((p) => `status = ${p}`, query.status);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', clauses, params };
}
