import type { OperationProperties, OperationResource } from './types.ts';

/**
 * Re-importing a definition into an existing API, as Azure API Management does it: each
 * imported operation is matched to an existing operation by name (the normalised
 * `operationId`); a match is updated in place and keeps its id and policies; an imported
 * operation without a match is created, copying the policies of an existing operation with
 * the same method and URL template when there is one; every existing operation left unmatched
 * is removed. The plan is pure data; the store applies it in one transaction.
 */

export interface ExistingOperation {
  readonly name: string;
  readonly properties: Pick<OperationProperties, 'method' | 'urlTemplate'>;
}

export interface ReimportPlan {
  /** Existing operations updated in place with the imported properties. */
  readonly update: OperationResource[];
  /** New operations; `copyPoliciesFrom` names the existing operation whose policies they take. */
  readonly create: (OperationResource & { copyPoliciesFrom?: string })[];
  /** Names of existing operations the definition no longer has. Remove them before creating. */
  readonly remove: string[];
}

function routeKey(method: string, urlTemplate: string): string {
  return `${method.toUpperCase()} ${urlTemplate.toLowerCase()}`;
}

export function planReimport(existing: readonly ExistingOperation[], imported: readonly OperationResource[]): ReimportPlan {
  const existingByName = new Map(existing.map((op) => [op.name, op]));
  const importedNames = new Set(imported.map((op) => op.name));
  const existingByRoute = new Map<string, string>();
  for (const op of existing) existingByRoute.set(routeKey(op.properties.method, op.properties.urlTemplate), op.name);

  const update: OperationResource[] = [];
  const create: (OperationResource & { copyPoliciesFrom?: string })[] = [];
  for (const op of imported) {
    if (existingByName.has(op.name)) {
      update.push(op);
      continue;
    }
    const sameRoute = existingByRoute.get(routeKey(op.properties.method, op.properties.urlTemplate));
    create.push(sameRoute === undefined ? { ...op } : { ...op, copyPoliciesFrom: sameRoute });
  }
  const remove = existing.filter((op) => !importedNames.has(op.name)).map((op) => op.name);
  return { update, create, remove };
}
