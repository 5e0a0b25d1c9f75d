import type { Registry, ResourcePath } from '../model/registry.ts';
import type { ResourceTypeDef } from '../model/resource-type.ts';
import { linkAliases, type LinkAlias } from '../model/link-aliases.ts';

/**
 * The management API's routes, derived from the registry: for each type, its collection and
 * item routes at service level and (where allowed) inside a workspace, its actions, and the
 * link aliases. Pure data: the server registers them, the OpenAPI document describes them.
 */
export type RouteOperation = 'list' | 'get' | 'put' | 'patch' | 'delete' | 'head' | 'action' | 'aliasList' | 'aliasGet' | 'aliasPut' | 'aliasDelete' | 'aliasHead';

export interface RouteSpec {
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'POST';
  /** Path relative to the scope (`/apis/:apiId`); workspace routes are registered under `/workspaces/:workspaceId`. */
  readonly url: string;
  readonly scope: 'service' | 'workspace';
  readonly operation: RouteOperation;
  readonly def: ResourceTypeDef;
  /** Parameter names of the lineage, in order (`apiId`, `operationId`). */
  readonly params: readonly string[];
  readonly action?: string;
  readonly alias?: LinkAlias;
}

export function paramNameOf(def: ResourceTypeDef): string {
  const s = def.segment;
  const singular = s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') ? s.slice(0, -1) : s;
  return `${singular}Id`;
}

export function buildRoutes(registry: Registry): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const def of registry.types) {
    const lineage = registry.lineage(def.kind);
    const levels = registry.levelsOf(def.kind);
    const scopes: ('service' | 'workspace')[] = [];
    if (levels.service) scopes.push('service');
    if (levels.workspace && def.kind !== 'workspaces') scopes.push('workspace');
    const params = lineage.map(paramNameOf);
    const itemUrl = lineage.map((d, i) => `/${d.segment}/:${params[i]}`).join('');
    const collectionUrl = itemUrl.slice(0, itemUrl.lastIndexOf('/'));
    for (const scope of scopes) {
      const base = { scope, def, params } as const;
      const offers = (method: 'get' | 'list' | 'put' | 'patch' | 'delete'): boolean => !def.methods || def.methods.includes(method);
      if (offers('list')) routes.push({ ...base, method: 'GET', url: collectionUrl, operation: 'list' });
      if (offers('get')) {
        routes.push({ ...base, method: 'GET', url: itemUrl, operation: 'get' });
        routes.push({ ...base, method: 'HEAD', url: itemUrl, operation: 'head' });
      }
      if (offers('put')) routes.push({ ...base, method: 'PUT', url: itemUrl, operation: 'put' });
      if (offers('patch')) routes.push({ ...base, method: 'PATCH', url: itemUrl, operation: 'patch' });
      if (offers('delete')) routes.push({ ...base, method: 'DELETE', url: itemUrl, operation: 'delete' });
      const actionNames = [...Object.keys(def.actions ?? {}), ...(def.credential ? [def.credential.regenerateAction] : [])];
      for (const action of actionNames) {
        routes.push({ ...base, method: 'POST', url: `${itemUrl}/${action}`, operation: 'action', action });
      }
      for (const alias of linkAliases.filter((a) => a.ownerKind === def.kind)) {
        if (!registry.find(alias.linkKind) || !registry.find(alias.targetKind)) continue;
        const aliasBase = { ...base, alias } as const;
        const collection = `${itemUrl}/${alias.segment}`;
        const item = `${collection}/:targetId`;
        routes.push({ ...aliasBase, method: 'GET', url: collection, operation: 'aliasList' });
        routes.push({ ...aliasBase, method: 'GET', url: item, operation: 'aliasGet' });
        routes.push({ ...aliasBase, method: 'HEAD', url: item, operation: 'aliasHead' });
        routes.push({ ...aliasBase, method: 'PUT', url: item, operation: 'aliasPut' });
        routes.push({ ...aliasBase, method: 'DELETE', url: item, operation: 'aliasDelete' });
      }
    }
  }
  return routes;
}

/** Builds the resource path of a matched route from its parameters. */
export function pathFromParams(registry: Registry, route: RouteSpec, params: Readonly<Record<string, string>>, depth = route.params.length): ResourcePath {
  const lineage = registry.lineage(route.def.kind);
  return {
    workspace: route.scope === 'workspace' ? params.workspaceId : undefined,
    steps: lineage.slice(0, depth).map((def, i) => ({ def, name: params[route.params[i]] })),
  };
}
