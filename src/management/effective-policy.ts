import type { FastifyInstance } from 'fastify';
import { AtriumError } from '../model/errors.ts';
import { keyOf } from '../model/registry.ts';
import { composePolicies, parsePolicyDocument, PolicyError, serializePolicyDocument, type PolicyDocument, type PolicyLevel } from '../policy/index.ts';
import type { StoreReader } from '../store/index.ts';
import { governanceOf, listBaseOffenders } from './policy-validation.ts';

/**
 * Azure's "calculate effective policy": `GET …/apis/{apiId}/operations/{operationId}/effectivePolicy`
 * (optionally `?productId=` for the product a call comes through) answers the operation's policy
 * with every scope merged (global > workspace > product > API > operation) and fragments
 * expanded; `{{named values}}` stay as written, so no secret is shown.
 */
/** `GET /settings/policies/offenders`: workspace policies that leave out `<base/>`. */
export function registerGovernanceRoute(app: FastifyInstance, reader: StoreReader): void {
  app.get('/settings/policies/offenders', { config: { access: { family: 'policies', action: 'read' } } }, async () => {
    const offenders = await listBaseOffenders(reader);
    return { value: offenders, count: offenders.length, requireBase: await governanceOf(reader) };
  });
}

export function registerEffectivePolicyRoute(app: FastifyInstance, reader: StoreReader, scope: 'service' | 'workspace'): void {
  app.get('/apis/:apiId/operations/:operationId/effectivePolicy', { config: { access: { family: 'apis', action: 'read' } } }, async (request) => {
    const params = request.params as { workspaceId?: string; apiId: string; operationId: string };
    const workspace = scope === 'workspace' ? params.workspaceId : undefined;
    const prefix = workspace === undefined ? '' : `/workspaces/${workspace}`;
    if (workspace !== undefined && !(await reader.get(keyOf(prefix)))) throw new AtriumError('RESOURCE_NOT_FOUND', `Workspace '${workspace}' was not found.`);
    const operationId = `${prefix}/apis/${params.apiId}/operations/${params.operationId}`;
    if (!(await reader.get(keyOf(operationId)))) throw new AtriumError('RESOURCE_NOT_FOUND', `Operation '${operationId}' was not found.`);
    const productId = (request.query as { productId?: unknown }).productId;
    if (productId !== undefined && (typeof productId !== 'string' || !(await reader.get(keyOf(`${prefix}/products/${productId}`))))) {
      throw new AtriumError('INVALID_PARAMETER', `productId must name a product of this scope.`, [{ code: 'InvalidParameter', target: 'productId', message: 'no such product' }]);
    }
    const load = async (id: string): Promise<PolicyDocument | undefined> => {
      const record = await reader.get(keyOf(id));
      return record ? parsePolicyDocument(String(record.properties.value ?? ''), { format: record.properties.format === 'rawxml' ? 'rawxml' : 'xml' }) : undefined;
    };
    const fragments = new Map<string, PolicyDocument>();
    for (const ws of workspace === undefined ? [undefined] : [workspace, undefined]) {
      const { items } = await reader.list({ parentKey: ws === undefined ? '' : keyOf(`/workspaces/${ws}`), kind: 'policyFragments' });
      for (const f of items) fragments.set(`${ws ?? ''}/${f.name.toLowerCase()}`, parsePolicyDocument(String(f.properties.value ?? ''), { format: f.properties.format === 'rawxml' ? 'rawxml' : 'xml' }));
    }
    const levels: PolicyLevel[] = [
      { scope: 'global', id: '/policies/policy', document: await load('/policies/policy') },
      ...(workspace === undefined ? [] : [{ scope: 'workspace' as const, id: prefix, workspace, document: await load(`${prefix}/policies/policy`) }]),
      ...(typeof productId === 'string' ? [{ scope: 'product' as const, id: `${prefix}/products/${productId}`, workspace, document: await load(`${prefix}/products/${productId}/policies/policy`) }] : []),
      { scope: 'api', id: `${prefix}/apis/${params.apiId}`, workspace, document: await load(`${prefix}/apis/${params.apiId}/policies/policy`) },
      { scope: 'operation', id: operationId, workspace, document: await load(`${operationId}/policies/policy`) },
    ];
    try {
      const { effective } = composePolicies(levels, { fragment: (id, ws) => fragments.get(`${ws ?? ''}/${id.toLowerCase()}`) });
      return { value: serializePolicyDocument(effective, { format: 'rawxml' }), format: 'rawxml' };
    } catch (error) {
      if (error instanceof PolicyError) throw new AtriumError(error.code, `The effective policy cannot be composed: ${error.message}`);
      throw error;
    }
  });
}
