import type { Action, Family, RoleDef } from './roles.ts';

/** A role held at one scope. */
export interface Grant {
  readonly role: RoleDef;
  readonly scope: { readonly type: 'service' } | { readonly type: 'workspace'; readonly name: string } | { readonly type: 'gateway'; readonly name: string };
}

export interface AccessRequest {
  readonly family: Family;
  readonly action: Action;
  /** Lower-cased workspace the call touches, if any. */
  readonly workspace?: string;
  /** Lower-cased gateway the call touches, if any. */
  readonly gateway?: string;
}

/**
 * 'allow'; 'deny' (403: the caller may know the scope exists); 'hide' (404: the caller has no
 * standing in that workspace at all, so even its existence is not confirmed).
 */
export type Decision = 'allow' | 'deny' | 'hide';

/**
 * The one authorization rule. A workspace-bound principal (a workspace API key) never acts
 * outside its workspace, whatever role it holds. Service-scope grants apply everywhere; workspace
 * and gateway grants only to their own workspace or gateway.
 */
export function decide(principalWorkspace: string | undefined, grants: readonly Grant[], request: AccessRequest): Decision {
  if (principalWorkspace !== undefined && request.workspace !== principalWorkspace) return request.workspace !== undefined ? 'hide' : 'deny';
  const applicable = grants.filter(
    (g) =>
      g.scope.type === 'service' ||
      (g.scope.type === 'workspace' && g.scope.name === request.workspace) ||
      (g.scope.type === 'gateway' && g.scope.name === request.gateway),
  );
  if (applicable.some((g) => g.role.permissions[request.family]?.includes(request.action))) return 'allow';
  if (request.workspace !== undefined && applicable.length === 0) return 'hide';
  return 'deny';
}
